"""Pydantic models for every data file under docs/data/ (and a fork's docs/local/).

Each data file has one top-level key and validates against one of the ``*File`` models below.
Everything here is untrusted input (a pull request can change any record, a fork any setting), so
the models are strict: unknown keys are errors (``extra="forbid"``), nothing is coerced (a quoted
``"4"`` is not a number), text has a length limit and no control characters, titles are one line,
and paths and links are limited to what is safe to publish.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Literal, Union

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator,
                      model_validator)

COMPETENCY_IDS = (
    "communication",
    "aligning-expectations",
    "assessing-understanding",
    "equity-and-inclusion",
    "fostering-independence",
    "professional-development",
    "ethics",
    "wellbeing",
)

# C0 and C1 control characters (tab, line feed and carriage return excepted), and non-characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Names a file cannot have on Windows, whatever its extension: an id becomes a file name.
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                              *(f"lpt{i}" for i in range(1, 10))})


def _no_control(v: str) -> str:
    bad = _CONTROL.search(v)
    if bad:
        raise ValueError(f"contains the control character U+{ord(bad.group()):04X}; remove it")
    return v


def _one_line(v: str) -> str:
    if "\n" in v or "\r" in v:
        raise ValueError("must be a single line")
    return v


def _not_reserved(v: str) -> str:
    if v.split(".")[0].lower() in WINDOWS_RESERVED:
        raise ValueError(f"'{v}' is a reserved file name on Windows; choose another")
    return v


def _safe_path(v: str) -> str:
    parts = v.split("/")
    if v.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError("must be a path inside docs/, without '..', '.', '//' or a leading '/'")
    for part in parts:
        _not_reserved(part)
    return v


def display_width(text: str) -> int:
    """Columns a text takes: wide (CJK) characters count twice, so a length rule suits every script."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60), AfterValidator(_not_reserved)]
# Free text (inline Markdown allowed): paragraphs may contain line breaks.
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True),
                 AfterValidator(_no_control)]
# A title or a name: one line, short enough for a heading, a tab and a file's title.
Title = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True),
                  AfterValidator(_no_control), AfterValidator(_one_line)]
# A form label, a list item, a column name: one line.
Label = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True),
                  AfterValidator(_no_control), AfterValidator(_one_line)]
PagePath = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_./-]+\.md$", max_length=200),
                     AfterValidator(_safe_path)]
# Links that are published: http(s) only, and no character that could end an attribute or a field.
SafeUrl = Annotated[str, StringConstraints(pattern=r"^https?://[A-Za-z0-9][A-Za-z0-9._~:/?#\[\]@!$&()*+,;=%-]*$",
                                           max_length=500)]
Email = Annotated[str, StringConstraints(
    pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$",
    max_length=254)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


UpstreamVersion = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{12}$")]


class Record(Strict):
    """A top-level record of a data set. A fork's record that replaces an upstream one by id records which
    upstream version it was made from (``make adopt``/``make accept`` write it), so the build can say
    when upstream has changed the original since."""

    upstream_version: UpstreamVersion | None = Field(default=None, exclude=True)


# --------------------------------------------------------------------------- references

Design = Literal["trial", "systematic_review", "observational", "qualitative", "guidance"]

DESIGN_LABELS: dict[str, str] = {
    "trial": "Trial",
    "systematic_review": "Systematic review",
    "observational": "Observational",
    "qualitative": "Qualitative",
    "guidance": "Guidance",
}

DESIGN_EXPLANATIONS: dict[str, str] = {
    "trial": "Randomised or controlled trial",
    "systematic_review": "Systematic or scoping review of published studies",
    "observational": "Observational study: survey, cohort, case-control or evaluation without randomisation",
    "qualitative": "Qualitative study: interviews, focus groups or analysis of texts",
    "guidance": "Guidance, consensus report, programme description or toolkit",
}


# Concrete study designs. Each maps to the design label(s) it may carry, so that a survey cannot be
# labelled "guidance" or a commentary "trial" (enforced by Reference._design_matches_study_design).
StudyDesign = Literal[
    "randomised controlled trial", "cluster randomised trial", "non-randomised controlled study",
    "systematic review", "scoping review", "meta-analysis", "literature review",
    "cohort study", "cross-sectional survey", "case-control study", "pre-post evaluation",
    "mixed-methods evaluation", "instrument development",
    "qualitative interview study", "qualitative focus-group study", "qualitative document analysis",
    "programme description", "consensus statement", "guidance", "toolkit",
    "editorial or commentary", "narrative review",
]

STUDY_DESIGN_LABELS: dict[str, tuple[str, ...]] = {
    "randomised controlled trial": ("trial",),
    "cluster randomised trial": ("trial",),
    "non-randomised controlled study": ("observational",),
    "systematic review": ("systematic_review",),
    "scoping review": ("systematic_review",),
    "meta-analysis": ("systematic_review",),
    "literature review": ("systematic_review",),
    "cohort study": ("observational",),
    "cross-sectional survey": ("observational",),
    "case-control study": ("observational",),
    "pre-post evaluation": ("observational",),
    "mixed-methods evaluation": ("observational", "qualitative"),
    "instrument development": ("observational",),
    "qualitative interview study": ("qualitative",),
    "qualitative focus-group study": ("qualitative",),
    "qualitative document analysis": ("qualitative",),
    "programme description": ("guidance",),
    "consensus statement": ("guidance",),
    "guidance": ("guidance",),
    "toolkit": ("guidance",),
    "editorial or commentary": ("guidance",),
    "narrative review": ("guidance",),
}


class Reference(Record):
    id: Id
    authors: Annotated[str, StringConstraints(min_length=1, max_length=1000, strip_whitespace=True),
                       AfterValidator(_no_control), AfterValidator(_one_line)]
    year: int = Field(ge=1900, le=2100)
    title: Annotated[str, StringConstraints(min_length=1, max_length=400, strip_whitespace=True),
                     AfterValidator(_no_control), AfterValidator(_one_line)]
    venue: Label
    doi: Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/[^\s\"<>{}\\^`|]+$", max_length=200)] | None = None
    pmid: Annotated[str, StringConstraints(pattern=r"^\d{5,9}$")] | None = None
    pmcid: Annotated[str, StringConstraints(pattern=r"^PMC\d+$")] | None = None
    url: SafeUrl | None = None
    accessed: dt.date | None = None
    design: Design
    study_design: StudyDesign
    design_note: Text
    finding: Text
    verified: dt.date | None = None  # identifiers checked against the publisher or PubMed on this date

    @model_validator(mode="after")
    def _design_matches_study_design(self) -> "Reference":
        allowed = STUDY_DESIGN_LABELS[self.study_design]
        if self.design not in allowed:
            raise ValueError(f"a {self.study_design} must be labelled {' or '.join(repr(a) for a in allowed)}, "
                             f"not '{self.design}'")
        return self

    @model_validator(mode="after")
    def _has_identifier(self) -> "Reference":
        if not (self.doi or self.pmid or self.url):
            raise ValueError("needs at least one of doi, pmid or url")
        if self.url and not (self.doi or self.pmid) and self.accessed is None:
            raise ValueError("a web page (url without doi or pmid) needs an 'accessed' date")
        return self

    @property
    def link(self) -> str:
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        assert self.url
        return self.url

    @property
    def short(self) -> str:
        """Author-year label: 'Straus et al. 2013', 'Gottlieb & Travis 2018', or an organisation's name."""
        names = [a.strip() for a in self.authors.split(",") if a.strip()]
        people = [n for n in names if re.fullmatch(r".+ [A-Z]{1,4}", n) or n.lower().startswith("et al")]
        if not people:  # an organisation, not Vancouver-style personal names
            return f"{self.authors} {self.year}"

        def surname(name: str) -> str:
            return re.sub(r" [A-Z]{1,4}$", "", name)

        if len(names) > 2 or any(n.lower().startswith("et al") for n in names):
            return f"{surname(names[0])} et al. {self.year}"
        if len(names) == 2:
            return f"{surname(names[0])} & {surname(names[1])} {self.year}"
        return f"{surname(names[0])} {self.year}"


class ReferencesFile(Strict):
    references: list[Reference] = Field(min_length=1)


# --------------------------------------------------------------------------- competencies


class Competency(Record):
    id: Literal[COMPETENCY_IDS]  # type: ignore[valid-type]
    name: Title
    summary: Text
    page: PagePath


class CompetenciesFile(Strict):
    competencies: list[Competency] = Field(min_length=1)


# --------------------------------------------------------------------------- checklists

Who = Literal["mentee", "mentor", "both", "programme-lead"]


class ChecklistItem(Strict):
    text: Label
    who: Who
    note: Text | None = None


class ChecklistSection(Strict):
    title: Title
    items: list[ChecklistItem] = Field(min_length=1)


class Checklist(Record):
    id: Id
    title: Title
    intro: Text | None = None
    sections: list[ChecklistSection] = Field(min_length=1)


class ChecklistsFile(Strict):
    checklists: list[Checklist] = Field(min_length=1)


# --------------------------------------------------------------------------- templates


class ShortText(Strict):
    type: Literal["short_text"]
    label: Label


class LongText(Strict):
    type: Literal["long_text"]
    label: Label
    lines: int = Field(default=3, ge=2, le=12)


class DateField(Strict):
    type: Literal["date"]
    label: Label


class Checkbox(Strict):
    type: Literal["checkbox"]
    label: Label


class Rating(Strict):
    type: Literal["rating"]
    label: Label
    scale: list[Label] = Field(min_length=2, max_length=7)


class Table(Strict):
    type: Literal["table"]
    label: Label
    columns: list[Label] = Field(min_length=1, max_length=6)
    rows: int = Field(ge=1, le=12)
    # Relative widths of the columns on paper, one per column (e.g. [3, 1, 1]: the first column three
    # times as wide as each of the others); without it the columns share the width equally.
    widths: list[Annotated[int, Field(ge=1, le=12)]] | None = None

    @model_validator(mode="after")
    def _one_width_per_column(self) -> "Table":
        if self.widths is not None and len(self.widths) != len(self.columns):
            raise ValueError(f"widths has {len(self.widths)} value(s) but there are {len(self.columns)} columns; "
                             "give one relative width per column")
        return self


class Signature(Strict):
    type: Literal["signature"]
    label: Label


class Guidance(Strict):
    type: Literal["guidance"]
    text: Text


TemplateField = Annotated[
    Union[ShortText, LongText, DateField, Checkbox, Rating, Table, Signature, Guidance],
    Field(discriminator="type"),
]

TemplateAudience = Literal["mentees", "mentors", "programme-leads", "facilitators"]


class TemplateSection(Strict):
    title: Title
    guidance: Text | None = None
    fields: list[TemplateField] = Field(min_length=1)


class Template(Record):
    id: Id
    title: Title
    purpose: Text
    audience: list[TemplateAudience] = Field(min_length=1)
    # Which part of the library it belongs to: what a mentoring pair uses, or what a programme runs.
    group: Literal["pairs", "programmes"] = "pairs"
    when_to_use: Text
    time_needed: Label
    version: dt.date
    related_pages: list[PagePath] = Field(default_factory=list)
    credits: Text | None = None
    sections: list[TemplateSection] = Field(min_length=1)


class TemplatesFile(Strict):
    templates: list[Template] = Field(min_length=1)


# --------------------------------------------------------------------------- programme models

Strength = Literal["trial", "review", "observational", "descriptive"]

STRENGTH_LABELS: dict[str, str] = {
    "trial": "At least one randomised trial",
    "review": "Reviews of mostly observational studies",
    "observational": "Observational studies",
    "descriptive": "Programme descriptions only",
}


class Example(Strict):
    name: Title
    description: Text
    source: Id


class ProgrammeModel(Record):
    id: Id
    name: Title
    summary: Text
    structure: Text
    who_mentors: Text
    typical_cadence: Text
    strengths: list[Text] = Field(min_length=1)
    risks: list[Text] = Field(min_length=1)
    resources_needed: list[Text] = Field(min_length=1)
    evidence: Text
    evidence_strength: Strength
    examples: list[Example] = Field(default_factory=list)
    best_for: Text
    related_pages: list[PagePath] = Field(default_factory=list)


class ProgrammeModelsFile(Strict):
    programme_models: list[ProgrammeModel] = Field(min_length=1)


# --------------------------------------------------------------------------- case studies

Stage = Literal["student", "resident", "early-career", "faculty", "programme"]


class CaseStudy(Record):
    id: Id
    title: Title
    stage: Stage
    scenario: Text
    competencies: list[Literal[COMPETENCY_IDS]] = Field(min_length=1)  # type: ignore[valid-type]
    related_pages: list[PagePath] = Field(default_factory=list)
    questions: list[Text] = Field(min_length=2)


class CaseStudiesFile(Strict):
    case_studies: list[CaseStudy] = Field(min_length=1)


# --------------------------------------------------------------------------- curriculum

Track = Literal["core", "mentee", "programme-lead"]
MEASURABLE_VERBS = (
    "agree", "analyse", "apply", "ask", "assess", "build", "choose", "compare", "complete", "construct",
    "contrast", "create", "define", "demonstrate", "describe", "design", "develop", "distinguish", "draft",
    "evaluate", "explain", "give", "identify", "interpret", "list", "map", "match", "name", "negotiate",
    "outline", "plan", "practise", "practice", "prepare", "prioritise", "rate", "recognise", "reflect",
    "respond", "revise", "run", "select", "set", "state", "summarise", "use", "write",
)


class Activity(Strict):
    title: Title
    minutes: int = Field(ge=1, le=240)
    method: Label
    materials: Label
    description: Text


class SessionCase(Strict):
    title: Title
    scenario: Text
    prompts: list[Text] = Field(min_length=2)


class Card(Strict):
    title: Title
    text: Text


class Material(Strict):
    """Something participants are handed in a session: a handout, a worksheet to write on, or a set of
    cards to cut apart. Each is printed in the session's participant materials (a download), and the
    timed plan names it by its title."""

    id: Id
    title: Title
    kind: Literal["handout", "worksheet", "cards"]
    intro: Text | None = None
    points: list[Text] = Field(default_factory=list)  # a handout's points; a worksheet's questions
    lines: int = Field(default=0, ge=0, le=12)  # a worksheet's writing lines under each question
    cards: list[Card] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_content(self) -> "Material":
        if self.kind == "cards" and not self.cards:
            raise ValueError("a set of cards needs at least one card (cards: [{title, text}])")
        if self.kind != "cards" and not self.points:
            raise ValueError(f"a {self.kind} needs its points (points: [...])")
        if self.kind == "worksheet" and self.lines < 1:
            raise ValueError("a worksheet needs writing lines under each question (lines: 2 or more)")
        return self


# What a timed plan may name without it being a download: things the room or the participants bring.
SUPPLIES = ("flip chart", "name cards", "sticky notes", "refreshments", "pens", "blank paper", "tape", "none")
PARTICIPANTS_OWN = ("participants'", "participants’")


def material_items(text: str) -> list[str]:
    """The items a plan's materials name: 'Printed case; role cards' -> ['Printed case', 'role cards']
    (separated by ';' or by ',' outside brackets)."""
    items, depth, current = [], 0, ""
    for ch in text:
        depth += ch in "([" and 1 or (-1 if ch in ")]" else 0)
        if ch in ";," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += ch
    items.append(current.strip())
    return [i for i in items if i]


class FacilitatorNotes(Strict):
    what_tends_to_happen: list[Text] = Field(min_length=1)
    difficult_moments: list[Text] = Field(min_length=1)


class Session(Record):
    id: Id
    number: int = Field(ge=1, le=99)
    title: Title
    track: Track
    audience: Label
    group_size: Label
    duration_minutes: int = Field(ge=15, le=480)
    version: dt.date
    summary: Text
    objectives: list[Text] = Field(min_length=1)
    pre_work: list[Text] = Field(default_factory=list)
    activities: list[Activity] = Field(min_length=1)
    cases: list[SessionCase] = Field(min_length=1)
    facilitator_notes: FacilitatorNotes
    take_home_templates: list[Id] = Field(default_factory=list)
    competencies: list[Literal[COMPETENCY_IDS]] = Field(default_factory=list)  # type: ignore[valid-type]
    references: list[Id] = Field(default_factory=list)
    # Handouts, worksheets and cards for participants; the timed plan names them by title (see the loader).
    materials: list[Material] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_materials(self) -> "Session":
        ids = [x.id for x in self.materials]
        titles = [x.title.lower() for x in self.materials]
        if len(set(ids)) != len(ids) or len(set(titles)) != len(titles):
            raise ValueError("materials: each needs its own id and title")
        return self

    @field_validator("objectives")
    @classmethod
    def _measurable(cls, v: list[str]) -> list[str]:
        for i, objective in enumerate(v):
            first = objective.split()[0].lower().strip(",.;:")
            if first not in MEASURABLE_VERBS:
                raise ValueError(f"objective {i + 1} should start with a measurable verb "
                                 f"(for example Describe, Use, Draft, Identify), not '{objective.split()[0]}'")
        return v

    @model_validator(mode="after")
    def _minutes_add_up(self) -> "Session":
        total = sum(a.minutes for a in self.activities)
        if total != self.duration_minutes:
            raise ValueError(f"activity minutes add up to {total}, but duration_minutes is {self.duration_minutes}")
        return self


class CurriculumFile(Strict):
    curriculum: list[Session] = Field(min_length=1)


# --------------------------------------------------------------------------- self-assessments


class Domain(Strict):
    id: Id
    name: Title
    help_pages: list[PagePath] = Field(min_length=1, max_length=4)
    help_sessions: list[Id] = Field(default_factory=list, max_length=3)
    items: list[Label] = Field(min_length=2, max_length=8)


class SelfAssessment(Record):
    id: Id
    title: Title
    intro: Text
    audience: Literal["mentors", "mentees", "both"]
    scale: list[Label] = Field(min_length=3, max_length=7)
    domains: list[Domain] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique_domains(self) -> "SelfAssessment":
        ids = [dm.id for dm in self.domains]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate domain id(s): {', '.join(dupes)}")
        return self


class SelfAssessmentsFile(Strict):
    self_assessments: list[SelfAssessment] = Field(min_length=1)


# --------------------------------------------------------------------------- settings

HexColour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        x = c / 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio between two #rrggbb colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _file_path(extensions: str):
    return Annotated[str, StringConstraints(pattern=rf"^[A-Za-z0-9_./-]+\.({extensions})$", max_length=200),
                     AfterValidator(_safe_path)]


class Settings(Strict):
    institution: Title
    programme_name: Title
    short_name: Title
    # How pages name the programme in running text ("In your programme, pairs usually meet..."); a fork sets
    # its own ("the Geneva programme"). programme_name stays the site's title.
    programme_in_text: Label = "your programme"
    contact_name: Title
    contact_email: Email
    escalation_contact: Title
    escalation_email: Email
    meeting_cadence: Label
    relationship_length: Label
    term_trainee: Title
    term_faculty: Title
    # The paper the PDF and Word downloads are laid out for; without it, both A4 and US Letter are offered.
    paper_size: Literal["A4", "Letter"] | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")] = "en"
    repo_url: SafeUrl | None = None
    # Material asks the GitHub API for a repository's stars and forks on a reader's first visit: a request to a
    # third party, so it is off unless a fork opts in (the Content-Security-Policy then allows that host).
    repo_stats: bool = False
    # The site's public address (e.g. https://mentoring.example.edu/), for absolute links in the PDF
    # downloads and the print books. Without it, mkdocs.yml's site_url; without both, links to the
    # site's own pages are left out of the PDFs.
    public_url: SafeUrl | None = None
    primary_colour: HexColour = "#1d4f91"
    accent_colour: HexColour = "#a3246b"
    logo: _file_path("svg|png|jpg|jpeg|webp") | None = None  # type: ignore[valid-type]
    favicon: _file_path("svg|png|ico") | None = None  # type: ignore[valid-type]
    local_section_title: Title | None = None  # the navigation section of a fork's pages (default: catalogue)
    hidden_pages: list[PagePath] = Field(default_factory=list)
    licence: Title = "CC BY 4.0"
    review_overdue: Literal["warn", "error"] = "warn"
    # More languages to publish beside `language` (each under /<code>/, with a language switcher).
    other_languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")]] = Field(
        default_factory=list, max_length=10)
    # Routes for raising concerns (docs/concerns/raising-concerns.md). Neutral upstream defaults; a fork names its own.
    concerns_contact: Label = "your programme lead or the person named in your local policy"
    concerns_url: SafeUrl | None = None
    freedom_to_speak_up: Label = "your organisation's Freedom to Speak Up Guardian (NHS in England) or equivalent speaking-up route"
    harassment_route: Label = "your employer's or school's harassment and bullying policy (in the US, the Title IX office for sex-based harassment)"
    ombuds: Label = "an ombuds office, if your institution has one"
    education_lead: Label = "your postgraduate dean, training programme director or medical school student support service"

    @field_validator("primary_colour", "accent_colour")
    @classmethod
    def _contrast_with_white(cls, v: str, info) -> str:
        use = {"primary_colour": "header text, and links on a white page",
               "accent_colour": "link hover and focus colour on the white page"}[info.field_name]
        ratio = contrast(v, "#ffffff")
        if ratio < 4.5:
            raise ValueError(f"{v} has a contrast of {ratio:.2f}:1 with white ({use}); "
                             "WCAG AA needs at least 4.5:1, so choose a darker colour")
        return v


class SettingsFile(Strict):
    settings: Settings


# --------------------------------------------------------------------------- page front matter

Audience = Literal["trainees", "mentors", "programme-leads", "everyone"]


class ExternalReview(Strict):
    """A review by a named clinician or educator outside the editorial team (not the team's own check)."""

    reviewer: Title
    role: Label
    date: dt.date


class FrontMatter(BaseModel):
    """Front matter every page must carry. Other keys (render_macros, hide, ...) are allowed."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)

    title: Title
    description: Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True),
                           AfterValidator(_no_control), AfterValidator(_one_line)]
    audience: list[Audience] = Field(min_length=1)
    last_reviewed: dt.date
    next_review_due: dt.date
    reviewed_by: Title
    external_review: ExternalReview | None = None

    @field_validator("description")
    @classmethod
    def _says_something(cls, v: str) -> str:
        # Measured in display columns, not characters: a full Japanese sentence is short in characters.
        if display_width(v) < 20:
            raise ValueError("should be one plain sentence saying what the page gives the reader "
                             f"(at least 20 columns wide; got {display_width(v)})")
        return v

    @model_validator(mode="after")
    def _dates_in_order(self) -> "FrontMatter":
        if self.next_review_due <= self.last_reviewed:
            raise ValueError("next_review_due must be after last_reviewed")
        return self


# --------------------------------------------------------------------------- message catalogues

Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")]


class Catalogue(Strict):
    language: Language
    # Who checked the translation (a native speaker, with role); absent = not yet checked.
    checked_by: Label | None = None
    strings: dict[str, Text]


class MessagesFile(Strict):
    messages: Catalogue


class LocalCatalogue(Strict):
    strings: dict[str, Text]


class LocalMessagesFile(Strict):
    """A fork's docs/local/messages.yml: single strings in the site's language."""

    messages: LocalCatalogue


# --------------------------------------------------------------------------- redirects


class Redirect(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    from_: PagePath = Field(alias="from")
    to: PagePath


class RedirectsFile(Strict):
    """docs/redirects.yml: pages that moved, so old links keep working (a page is written at each old path)."""

    redirects: list[Redirect] = Field(default_factory=list)


# --------------------------------------------------------------------------- a fork's record of upstream


class Upstream(Strict):
    # The upstream settings this fork has seen (and set, or chosen to leave at their defaults).
    settings_seen: list[Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")]] = Field(default_factory=list)


class UpstreamFile(Strict):
    """docs/local/upstream.yml, written by `make accept WHAT=settings`."""

    upstream: Upstream
