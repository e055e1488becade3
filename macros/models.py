"""Pydantic models for every data file under docs/data/.

Each data file has one top-level key and validates against one of the ``*File``
models below. Unknown keys are errors (``extra="forbid"``) so that a typo never
passes silently.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
PagePath = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_./-]+\.md$")]

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


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class Reference(Strict):
    id: Id
    authors: Text
    year: int = Field(ge=1900, le=2100)
    title: Text
    venue: Text
    doi: Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    pmid: Annotated[str, StringConstraints(pattern=r"^\d{5,9}$")] | None = None
    pmcid: Annotated[str, StringConstraints(pattern=r"^PMC\d+$")] | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
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


class Competency(Strict):
    id: Literal[COMPETENCY_IDS]  # type: ignore[valid-type]
    name: Text
    summary: Text
    page: PagePath


class CompetenciesFile(Strict):
    competencies: list[Competency] = Field(min_length=1)


# --------------------------------------------------------------------------- checklists

Who = Literal["mentee", "mentor", "both", "programme-lead"]


class ChecklistItem(Strict):
    text: Text
    who: Who
    note: Text | None = None


class ChecklistSection(Strict):
    title: Text
    items: list[ChecklistItem] = Field(min_length=1)


class Checklist(Strict):
    id: Id
    title: Text
    intro: Text | None = None
    sections: list[ChecklistSection] = Field(min_length=1)


class ChecklistsFile(Strict):
    checklists: list[Checklist] = Field(min_length=1)


# --------------------------------------------------------------------------- templates


class ShortText(Strict):
    type: Literal["short_text"]
    label: Text


class LongText(Strict):
    type: Literal["long_text"]
    label: Text
    lines: int = Field(default=3, ge=2, le=12)


class DateField(Strict):
    type: Literal["date"]
    label: Text


class Checkbox(Strict):
    type: Literal["checkbox"]
    label: Text


class Rating(Strict):
    type: Literal["rating"]
    label: Text
    scale: list[Text] = Field(min_length=2, max_length=7)


class Table(Strict):
    type: Literal["table"]
    label: Text
    columns: list[Text] = Field(min_length=1, max_length=6)
    rows: int = Field(ge=1, le=12)


class Signature(Strict):
    type: Literal["signature"]
    label: Text


class Guidance(Strict):
    type: Literal["guidance"]
    text: Text


TemplateField = Annotated[
    Union[ShortText, LongText, DateField, Checkbox, Rating, Table, Signature, Guidance],
    Field(discriminator="type"),
]

TemplateAudience = Literal["mentees", "mentors", "programme-leads", "facilitators"]


class TemplateSection(Strict):
    title: Text
    guidance: Text | None = None
    fields: list[TemplateField] = Field(min_length=1)


class Template(Strict):
    id: Id
    title: Text
    purpose: Text
    audience: list[TemplateAudience] = Field(min_length=1)
    when_to_use: Text
    time_needed: Text
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
    name: Text
    description: Text
    source: Id


class ProgrammeModel(Strict):
    id: Id
    name: Text
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


class CaseStudy(Strict):
    id: Id
    title: Text
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
    title: Text
    minutes: int = Field(ge=1, le=240)
    method: Text
    materials: Text
    description: Text


class SessionCase(Strict):
    title: Text
    scenario: Text
    prompts: list[Text] = Field(min_length=2)


class FacilitatorNotes(Strict):
    what_tends_to_happen: list[Text] = Field(min_length=1)
    difficult_moments: list[Text] = Field(min_length=1)


class Session(Strict):
    id: Id
    number: int = Field(ge=1, le=99)
    title: Text
    track: Track
    audience: Text
    group_size: Text
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
    name: Text
    help_pages: list[PagePath] = Field(min_length=1, max_length=4)
    help_sessions: list[Id] = Field(default_factory=list, max_length=3)
    items: list[Text] = Field(min_length=2, max_length=8)


class SelfAssessment(Strict):
    id: Id
    title: Text
    intro: Text
    audience: Literal["mentors", "mentees", "both"]
    scale: list[Text] = Field(min_length=3, max_length=7)
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


class Settings(Strict):
    institution: Text
    programme_name: Text
    short_name: Text
    contact_name: Text
    contact_email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    escalation_contact: Text
    escalation_email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    meeting_cadence: Text
    relationship_length: Text
    term_trainee: Text
    term_faculty: Text
    paper_size: Literal["A4", "Letter"] = "A4"
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")] = "en"
    repo_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    primary_colour: HexColour = "#1d4f91"
    accent_colour: HexColour = "#a3246b"
    logo: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_./-]+\.(svg|png|jpg|jpeg|webp)$")] | None = None
    favicon: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_./-]+\.(svg|png|ico)$")] | None = None
    local_section_title: Text = "Local information"
    hidden_pages: list[PagePath] = Field(default_factory=list)
    licence: Text = "CC BY 4.0"
    review_overdue: Literal["warn", "error"] = "warn"
    # Routes for raising concerns (docs/concerns/raising-concerns.md). Neutral upstream defaults; a fork names its own.
    concerns_contact: Text = "your programme lead or the person named in your local policy"
    concerns_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    freedom_to_speak_up: Text = "your organisation's Freedom to Speak Up Guardian (NHS in England) or equivalent speaking-up route"
    harassment_route: Text = "your employer's or school's harassment and bullying policy (in the US, the Title IX office for sex-based harassment)"
    ombuds: Text = "an ombuds office, if your institution has one"
    education_lead: Text = "your postgraduate dean, training programme director or medical school student support service"

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

    @field_validator("programme_name", "institution", "short_name")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if "\n" in v:
            raise ValueError("must be a single line")
        return v


class SettingsFile(Strict):
    settings: Settings


# --------------------------------------------------------------------------- page front matter

Audience = Literal["trainees", "mentors", "programme-leads", "everyone"]


class ExternalReview(Strict):
    """A review by a named clinician or educator outside the editorial team (not the team's own check)."""

    reviewer: Text
    role: Text
    date: dt.date


class FrontMatter(BaseModel):
    """Front matter every page must carry. Other keys (render_macros, hide, ...) are allowed."""

    model_config = ConfigDict(extra="allow", frozen=True)

    title: Text
    description: Annotated[str, StringConstraints(min_length=20, max_length=200)]
    audience: list[Audience] = Field(min_length=1)
    last_reviewed: dt.date
    next_review_due: dt.date
    reviewed_by: Text
    external_review: ExternalReview | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> "FrontMatter":
        if self.next_review_due <= self.last_reviewed:
            raise ValueError("next_review_due must be after last_reviewed")
        return self
