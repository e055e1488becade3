"""Open data: JSON for every data set, current JSON Schemas, BibTeX and CSL-JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from macros import opendata
from macros.loader import load_site

from .conftest import ROOT

pytestmark = pytest.mark.data


def test_committed_schemas_match_the_models():
    for rel, data in opendata.schema_files().items():
        committed = ROOT / "docs" / rel
        assert committed.is_file(), f"{rel} missing: run `make schemas`"
        assert committed.read_bytes() == data, f"{rel} is out of date: run `make schemas`"


def _yaml_files(name: str) -> list[Path]:
    if name == "messages":
        return sorted((ROOT / "docs/messages").glob("*.yml"))
    if name == "redirects":
        return [ROOT / "docs/redirects.yml"]
    if name == "upstream":  # a fork's file: upstream ships none, the command that writes it names the schema
        return []
    return [ROOT / "docs/data" / f"{name}.yml"]


@pytest.mark.parametrize("name", list(opendata.SCHEMA_MODELS))
def test_every_yaml_file_names_its_schema(name):
    files = _yaml_files(name)
    assert files or name == "upstream"
    for f in files:
        first = f.read_text(encoding="utf-8").splitlines()[0]
        schemas = "schemas" if f.parent.name == "docs" else "../schemas"
        assert first == f"# yaml-language-server: $schema={schemas}/{name}.schema.json", f


@pytest.mark.parametrize("name", [n for n in opendata.SCHEMA_MODELS if n not in ("messages", "redirects", "upstream")])
def test_published_json_validates_against_its_schema(built_site: Path, name):
    data = json.loads((built_site / "data" / f"{name}.json").read_text(encoding="utf-8"))
    schema = json.loads((built_site / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    assert data[name]


def test_schema_rejects_what_the_build_rejects():
    schema = opendata.schema("checklists")
    bad = {"checklists": [{"id": "x", "title": "T", "sections": [{"title": "S", "items": [{"text": "a", "who": "nobody"}]}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    typo = {"checklists": [{"id": "x", "titel": "T", "sections": []}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(typo, schema)


def test_bibtex_and_csl_cover_every_reference(built_site: Path):
    site, _ = load_site(ROOT / "docs", ROOT)
    bib = (built_site / "data/references.bib").read_text(encoding="utf-8")
    keys = re.findall(r"^@\w+\{([a-z0-9-]+),$", bib, flags=re.M)
    assert sorted(keys) == sorted(site.references)
    assert bib.count("{") == bib.count("}")
    csl = json.loads((built_site / "data/references.csl.json").read_text(encoding="utf-8"))
    assert sorted(item["id"] for item in csl) == sorted(site.references)
    straus = next(i for i in csl if i["id"] == "straus2013")
    assert straus["DOI"] == "10.1097/ACM.0b013e31827647a0"
    assert straus["author"][0] == {"family": "Straus", "given": "S. E."}
    assert straus["type"] == "article-journal"
