"""Open data: every data set as JSON, a JSON Schema for each (from the models), and the reference
library as BibTeX and CSL-JSON.

Published by the build at stable URLs:
``data/<name>.json``, ``schemas/<name>.schema.json``, ``data/references.bib``, ``data/references.csl.json``.
The schema files are also committed under ``docs/schemas/`` so editors validate YAML as it is typed;
regenerate them with ``make schemas``. A test checks they are current.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from . import models as m
from .registry import DATASETS, SCHEMAS

SCHEMA_MODELS = {**SCHEMAS, "messages": m.MessagesFile, "redirects": m.RedirectsFile, "upstream": m.UpstreamFile}


def _dumps(obj) -> bytes:
    """JSON whose text can never be read as HTML: <, > and & are written as \\u escapes."""
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (text + "\n").encode("utf-8")


def schema(name: str) -> dict:
    body = SCHEMA_MODELS[name].model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{name}.schema.json",
            "title": f"{name.replace('_', ' ').capitalize()} data file", **body}


def schema_files() -> dict[str, bytes]:
    return {f"schemas/{name}.schema.json": _dumps(schema(name)) for name in SCHEMA_MODELS}


def data_files(site) -> dict[str, bytes]:
    """The site's validated data (a fork's local records included) as JSON, plus citation formats."""
    files: dict[str, bytes] = {}
    for name in (d.name for d in DATASETS):
        records = getattr(site, name)
        files[f"data/{name}.json"] = _dumps({name: [r.model_dump(mode="json", exclude_none=True)
                                                    for r in records.values()]})
    files["data/settings.json"] = _dumps({"settings": site.settings.model_dump(mode="json", exclude_none=True)})
    files["data/references.bib"] = bibtex(site.references.values()).encode("utf-8")
    files["data/references.csl.json"] = _dumps(csl_json(site.references.values()))
    return files


# --------------------------------------------------------------------------- citation formats

_BIB_ESCAPE = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
               "\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _bib(text: str) -> str:
    return "".join(_BIB_ESCAPE.get(ch, ch) for ch in text)


def _bib_verbatim(value: str) -> str:
    """A DOI or URL for a verbatim BibTeX field: braces, backslashes and spaces percent-encoded, so the
    value can neither close its field nor open another."""
    return "".join(f"%{ord(ch):02X}" if ch in "{}\\ \"" or ord(ch) < 32 else ch for ch in value)


def _people(authors: str) -> list[tuple[str, str]] | None:
    """'Straus SE, Johnson MO' -> [('Straus', 'S. E.'), ...]; None for an organisation."""
    names = [a.strip() for a in authors.split(",") if a.strip() and not a.strip().lower().startswith("et al")]
    out = []
    for name in names:
        match = re.fullmatch(r"(.+) ([A-Z]{1,4})", name)
        if not match:
            return None
        out.append((match.group(1), " ".join(f"{c}." for c in match.group(2))))
    return out


def _journal(venue: str) -> tuple[str, str | None, str | None, str | None]:
    """'Acad Med. 2013;88(1):82–89' -> ('Acad Med', '88', '1', '82–89') where the parts exist."""
    match = re.match(r"^(.*?)\.\s*\d{4}\s*;\s*([^(:]+)?(?:\(([^)]+)\))?(?::\s*(.+))?$", venue)
    if not match:
        return venue, None, None, None
    return match.group(1).strip(), (match.group(2) or "").strip() or None, match.group(3), match.group(4)


def bibtex(refs) -> str:
    entries = []
    for r in refs:
        journal, volume, number, pages = _journal(r.venue)
        is_article = volume is not None or r.design != "guidance"
        kind = "article" if is_article and (r.doi or r.pmid) else "misc"
        people = _people(r.authors)
        author = " and ".join(f"{_bib(s)}, {_bib(g)}" for s, g in people) if people else "{" + _bib(r.authors) + "}"
        fields = [("author", author), ("title", _bib(r.title)), ("year", str(r.year))]
        if kind == "article":
            fields.append(("journal", _bib(journal)))
            for key, value in (("volume", volume), ("number", number), ("pages", pages)):
                if value:
                    fields.append((key, _bib(value.replace("–", "--"))))
        else:
            fields.append(("howpublished", _bib(r.venue)))
        for key, value in (("doi", r.doi), ("pmid", r.pmid), ("url", r.url)):
            if value:
                fields.append((key, _bib_verbatim(value)))
        if r.accessed:
            fields.append(("urldate", r.accessed.isoformat()))
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
        entries.append(f"@{kind}{{{r.id},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"


def csl_json(refs) -> list[dict]:
    items = []
    for r in refs:
        journal, volume, number, pages = _journal(r.venue)
        people = _people(r.authors)
        item = {
            "id": r.id,
            "type": "article-journal" if (volume or r.design != "guidance") and (r.doi or r.pmid) else "webpage",
            "title": r.title,
            "issued": {"date-parts": [[r.year]]},
            "author": [{"family": s, "given": g} for s, g in people] if people else [{"literal": r.authors}],
        }
        if item["type"] == "article-journal":
            item["container-title"] = journal
            for key, value in (("volume", volume), ("issue", number), ("page", pages)):
                if value:
                    item[key] = value
        else:
            item["container-title"] = r.venue
        for key, value in (("DOI", r.doi), ("PMID", r.pmid), ("PMCID", r.pmcid), ("URL", r.url or r.link)):
            if value:
                item[key] = value
        if r.accessed:
            item["accessed"] = {"date-parts": [[r.accessed.year, r.accessed.month, r.accessed.day]]}
        items.append(item)
    return items


def write_schemas(docs_dir: Path) -> list[Path]:
    written = []
    for rel, data in schema_files().items():
        path = docs_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    """Regenerate docs/schemas/ from the models (``make schemas``)."""
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else Path("docs")
    changed = write_schemas(target)
    print(f"{len(changed)} schema file(s) updated under {target / 'schemas'}")
