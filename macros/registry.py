"""One registry of the data sets: each declared once, everything else derived from it.

The loader reads ``docs/data/<name>.yml`` (and a fork's ``docs/local/<name>.yml``) for every entry,
checks that records with a page of their own have it, and knows which page shows each record;
open data publishes every entry as JSON with its JSON Schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pydantic import BaseModel

from . import models as m


@dataclass(frozen=True)
class DataSet:
    name: str                      # file stem, top-level key and attribute of the Site
    model: type[BaseModel]         # the file's model
    page: str | None               # the page that shows a record ("{id}" is the record's id), if any
    title: Callable | None = None  # a page of its own per record: its title (and the page's folder)
    in_downloads: bool = False     # its text is printed in the downloads

    @property
    def folder(self) -> str | None:
        """Folder of the record pages (``templates`` for ``templates/{id}.md``), if each has one."""
        return self.page.rsplit("/", 1)[0] if self.title and self.page else None

    def page_for(self, rid: str) -> str | None:
        return self.page.format(id=rid) if self.page else None


DATASETS: tuple[DataSet, ...] = (
    DataSet("references", m.ReferencesFile, None),
    DataSet("competencies", m.CompetenciesFile, None),
    DataSet("checklists", m.ChecklistsFile, "checklists/{id}.md"),
    DataSet("templates", m.TemplatesFile, "templates/{id}.md", title=lambda r: r.title, in_downloads=True),
    DataSet("programme_models", m.ProgrammeModelsFile, "models/{id}.md", title=lambda r: r.name),
    DataSet("case_studies", m.CaseStudiesFile, "case-studies.md"),
    DataSet("curriculum", m.CurriculumFile, "curriculum/{id}.md", title=lambda r: r.title, in_downloads=True),
    DataSet("self_assessments", m.SelfAssessmentsFile, "self-assessment/{id}.md", title=lambda r: r.title),
)

BY_NAME: dict[str, DataSet] = {d.name: d for d in DATASETS}

# Every file that has a JSON Schema (the settings are not a data set of records, but have one).
SCHEMAS: dict[str, type[BaseModel]] = {"settings": m.SettingsFile, **{d.name: d.model for d in DATASETS}}


# --------------------------------------------------------------------------- the download URL scheme

# Markdown downloads are published as .md.txt and saved as .md (the link's download attribute): an
# engine may rewrite a link that ends in .md into a link to a page (Zensical does, even in raw HTML).
_SUFFIX = {"docx": ".docx", "pdf": ".pdf", "md": ".md.txt"}
TEMPLATE_FORMATS = ("docx", "pdf", "md")
GUIDE_FORMATS = ("docx", "pdf")
PAPER_FORMATS = frozenset({"docx", "pdf"})  # formats laid out for a paper size
PAPERS = ("A4", "Letter")


@dataclass(frozen=True)
class Variant:
    """One version of a download: on the site's first paper size or another (``paper``), branded with
    the programme's name and contacts or a neutral blank copy (``blank``)."""

    paper: str = ""  # "" = the first paper size (the settings' one, or A4 when they do not fix one)
    blank: bool = False

    @property
    def suffix(self) -> str:
        """'' for the branded file on the first paper; '-letter', '-blank', '-blank-letter' otherwise."""
        return ("-blank" if self.blank else "") + (f"-{self.paper.lower()}" if self.paper else "")


MAIN = Variant()


def papers(paper_size: str | None) -> tuple[str, ...]:
    """Paper sizes the downloads are laid out for: the one the settings fix, or A4 then Letter."""
    return (paper_size,) if paper_size else PAPERS


def variants(fmt: str, paper_size: str | None, blank: bool = True) -> list[tuple[Variant, str]]:
    """Every version of a download in one format, with the paper size it is laid out for (main first)."""
    sizes = papers(paper_size) if fmt in PAPER_FORMATS else papers(paper_size)[:1]
    return [(Variant("" if i == 0 else size, b), size) for b in ((False, True) if blank else (False,))
            for i, size in enumerate(sizes)]


def download_path(folder: str, stem: str, fmt: str, variant: Variant = MAIN) -> str:
    """Where a download lives in the site: ``downloads/templates/mentoring-agreement-blank-letter.pdf``."""
    return f"downloads/{folder}/{stem}{variant.suffix}{_SUFFIX[fmt]}"


def download_name(stem: str, fmt: str, variant: Variant = MAIN) -> str:
    """The file name a reader's browser saves it as."""
    return f"{stem}{variant.suffix}.{fmt}"
