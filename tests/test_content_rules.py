"""Content rules from the clinician-reviewer's corrections: one test for each kind of correction.

Each test reads the sources (pages and data) or the built site and fails on the text the site had
before the corrections (checked by running it against that text).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from macros import models as m
from macros.loader import load_site, split_front_matter

from .conftest import ROOT

DOCS = ROOT / "docs"




def _sources() -> list[Path]:
    return sorted(p for p in list(DOCS.rglob("*.md")) + list(DOCS.rglob("*.yml")) if "schemas" not in p.parts)


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks; YAML lines count as their own blocks too."""
    return [b for b in re.split(r"\n\s*\n", text) if b.strip()] + text.splitlines()


# ----------------------------------------------------------------------- design labels


def test_every_design_label_matches_its_study_design(upstream_site):
    wrong = [f"{r.id}: {r.study_design} labelled {r.design}" for r in upstream_site.references.values()
             if r.design not in m.STUDY_DESIGN_LABELS[r.study_design]]
    assert wrong == []


def test_a_survey_cannot_be_labelled_guidance():
    ref = dict(id="x", authors="A B", year=2014, title="t", venue="v", doi="10.1000/x",
               design="guidance", study_design="cross-sectional survey", design_note="n", finding="f")
    with pytest.raises(ValidationError, match="cross-sectional survey must be labelled 'observational'"):
        m.Reference(**ref)
    m.Reference(**{**ref, "design": "observational"})


def test_every_study_design_has_allowed_labels():
    import typing

    assert set(typing.get_args(m.StudyDesign)) == set(m.STUDY_DESIGN_LABELS)
    for labels in m.STUDY_DESIGN_LABELS.values():
        assert labels and set(labels) <= set(m.DESIGN_LABELS)


# ----------------------------------------------------------------------- identifiers

# Journal articles whose DOI or PMID could not be confirmed in a stored publisher or PubMed page;
# they link to the publisher's own page instead (see the reference's url and verified date).
NO_CONFIRMED_IDENTIFIER = {"cho2011", "pololi2002"}
JOURNAL_VENUE = re.compile(r"\b(19|20)\d\d;\s*\d+|:\s*e?\d+[–-]e?\d+|\d+\(\d+\)")


def test_journal_articles_have_a_doi_or_pmid(upstream_site):
    missing = []
    for r in upstream_site.references.values():
        journal = bool(JOURNAL_VENUE.search(r.venue)) or r.design != "guidance"
        if journal and not (r.doi or r.pmid) and r.id not in NO_CONFIRMED_IDENTIFIER:
            missing.append(r.id)
    assert missing == []
    for rid in NO_CONFIRMED_IDENTIFIER:  # the exemption never hides an aggregator link
        ref = upstream_site.references[rid]
        assert ref.url and ref.verified and not re.search(r"bibbase|researchgate|scribd|docslib", ref.url)


# Every reference added or given new identifiers in the reviewer's corrections (2026-12).
ADDED_OR_CHANGED = {
    "jackson2003", "cho2011", "hyun2022", "raju2022", "cheong2020", "chopra2016", "thistlethwaite2013",
    "bartlett2020", "yardley2012", "lescano2019", "jack2013", "myers2024", "ngo-speaking-up", "ioa-standards",
    "gmc-promoting-excellence", "gmc-welcome-uk-practice", "bma-mentoring", "aomrc-mentoring-seminar",
    "hee-supportt", "supportt-regional", "nhs-employers-sas-charter", "nhs-employers-sas-development",
    "nmc-sssa", "nhsggc-practice-roles",
}


def test_added_or_changed_references_record_when_they_were_verified(upstream_site):
    unverified = sorted(k for k in ADDED_OR_CHANGED if upstream_site.references[k].verified is None)
    assert unverified == []
    for ref in upstream_site.references.values():
        if ref.verified and ref.accessed:
            assert ref.verified >= ref.accessed, ref.id


# ----------------------------------------------------------------------- invented figures

# The claims that no source supports (evidence/claims-without-a-source.md): their numbers, and any
# paraphrase as a multiplier, may appear nowhere, not even to refute them.
UNSOURCED = [
    r"136 studies", r"50,000", r"\b2\.3\b", r"12\s*%\s*higher", r"\b37\s*%", r"\b1\.8\s*(x|×|times)",
    r"\b68\s*%", r"\b42\s*%",
    r"\b(several|many|two|three|four|\d+(\.\d+)?)\s+times\s+(more|higher|as)\b", r"\b\d+(\.\d+)?\s*-?fold\b",
    r"\bfar more satisfied\b", r"\bmuch lower burnout\b",
]


def test_no_source_restates_a_number_or_multiplier_from_the_unsourced_claims():
    hits = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        for pattern in UNSOURCED:
            for match in re.finditer(pattern, text, flags=re.I):
                hits.append(f"{path.relative_to(ROOT)}: {match.group(0)!r}")
    assert hits == []


# ----------------------------------------------------------------------- pfund2013


def test_pfund2013_is_not_described_as_independent_or_an_earlier_rollout():
    bad = []
    for path in _sources():
        for block in _paragraphs(path.read_text(encoding="utf-8")):
            if "pfund2013" not in block:
                continue
            if re.search(r"earlier|rollout|had been tried|separate group of", block, re.I):
                bad.append(f"{path.relative_to(ROOT)}: {block.strip()[:100]}")
            if re.search(r"\bindependent\b", block, re.I) and not re.search(r"\bnot\b[^.]{0,30}\bindependent", block, re.I):
                bad.append(f"{path.relative_to(ROOT)}: {block.strip()[:100]}")
    assert bad == []


# ----------------------------------------------------------------------- the sponsor saying


def test_the_talks_with_you_saying_is_never_attributed_to_ucsf(upstream_site):
    bad = []
    for path in _sources():
        for block in _paragraphs(path.read_text(encoding="utf-8")):
            if re.search(r"talks\W+(\*|_)?about(\*|_)?\W+you", block, re.I) and re.search(r"ucsf", block, re.I):
                bad.append(f"{path.relative_to(ROOT)}: {block.strip()[:100]}")
    assert bad == []
    assert "talks about you" not in upstream_site.references["ucsf-faculty-mentoring"].finding


# ----------------------------------------------------------------------- the agreement template


def test_the_agreement_template_does_not_promise_mandatory_reporting(upstream_site):
    from macros.loader import walk_strings

    text = " ".join(s for _, s in walk_strings(upstream_site.templates["mentoring-agreement"]))
    assert not re.search(r"duty to report[^.]*(harass|misconduct)", text, re.I)
    assert not re.search(r"(must|will) report[^.]*harass", text, re.I)
    assert "local rule" in text  # the mentor finds out the local rule instead


# ----------------------------------------------------------------------- case stages


def test_doctors_in_their_first_postgraduate_years_are_not_early_career(upstream_site):
    junior = re.compile(r"junior doctor|first year after qualifying|foundation doctor|intern\b", re.I)
    wrong = [c.id for c in upstream_site.case_studies.values() if junior.search(c.scenario) and c.stage == "early-career"]
    assert wrong == []


# ----------------------------------------------------------------------- overstatements


OVERSTATEMENTS = [
    r"No study we found measured this",  # turnover: the site's own reviews report retention
    r"retention-related",  # the cited survey measured rank and satisfaction, not retention
    r"points the other way",  # a null four-week study is not evidence of the opposite
    r"survey of US medical students",  # one school
    r"86% of students said",  # without the response rate
]


def test_corrected_overstatements_do_not_return():
    hits = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        for pattern in OVERSTATEMENTS:
            if re.search(pattern, text):
                hits.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert hits == []


def test_race_and_ethnicity_are_not_inferred_from_gender_concordance():
    for page in ("mentees/finding-a-mentor.md", "mentors/equity-and-inclusion.md"):
        text = (DOCS / page).read_text(encoding="utf-8")
        assert not re.search(r"shares (their|your) gender or background", text), page
        assert re.search(r"race and ethnicity", text, re.I), page


# ----------------------------------------------------------------------- the source article


ARTICLE = re.compile(r"widely[- ]shared (online )?article|popular (article|writing)|online article|source article|"
                     r"\bthe (same )?article (quotes|quoted|claims|says|also says|describes|presents|credits|called|gives)",
                     re.I)


def test_the_source_article_is_mentioned_on_at_most_the_evidence_pages():
    pages = sorted({p.relative_to(DOCS).as_posix() for p in _sources() if ARTICLE.search(p.read_text(encoding="utf-8"))})
    assert all(p.startswith("evidence/") for p in pages), pages
    assert len(pages) <= 1, pages


# ----------------------------------------------------------------------- review status and redirects


def test_no_page_claims_an_external_review_that_did_not_happen(upstream_site):
    reviewed = [src for src, fm in upstream_site.pages.items() if fm.external_review is not None]
    assert reviewed == []


def test_every_page_shows_editorial_and_external_review(built_site: Path, upstream_site):
    for src in upstream_site.pages:
        html = (built_site / src.replace(".md", ".html")).read_text(encoding="utf-8")
        aside = html.split('class="ms-review"', 1)[1].split("</aside>", 1)[0]
        assert "Editorial review" in aside and "External review:" in aside and "not yet" in aside, src


def test_external_review_front_matter_is_a_named_reviewer_with_role_and_date():
    fm, _, _, _ = split_front_matter("---\ntitle: T\ndescription: A description long enough to pass.\naudience: [everyone]\n"
                            "last_reviewed: 2026-12-02\nnext_review_due: 2027-12-02\nreviewed_by: Team\n"
                            "external_review:\n  reviewer: Dr A\n  role: Consultant\n  date: 2027-01-05\n---\n", "x.md")
    page = m.FrontMatter(**fm)
    assert page.external_review.reviewer == "Dr A"
    with pytest.raises(ValidationError):
        m.FrontMatter(**{**fm, "external_review": {"reviewer": "Dr A"}})


def test_redirects_point_from_removed_pages_to_existing_ones():
    data = yaml.safe_load((DOCS / "redirects.yml").read_text(encoding="utf-8"))
    assert data["redirects"]
    old = set()
    for r in data["redirects"]:
        assert not (DOCS / r["from"]).exists(), r
        assert (DOCS / r["to"]).exists(), r
        old.add(r["from"])
    stale = []
    for path in _sources():
        if path.name == "redirects.yml":
            continue
        text = path.read_text(encoding="utf-8")
        for target in old:
            folder, name = target.split("/")
            if target in text or (path.parent.name == folder and f"]({name})" in text):
                stale.append(f"{path.relative_to(ROOT)} -> {target}")
    assert stale == []


def test_the_concern_routes_are_settings_a_fork_can_change(upstream_site):
    page = (DOCS / "foundations/harms-and-concerns.md").read_text(encoding="utf-8")
    for key in ("concerns_contact", "freedom_to_speak_up", "harassment_route", "ombuds", "education_lead"):
        assert f"settings.{key}" in page
        assert getattr(upstream_site.settings, key)
    assert 'checklist("harms-and-concerns")' in page and "harms-and-concerns" in upstream_site.checklists
