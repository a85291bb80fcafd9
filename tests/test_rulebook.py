"""The rules file is checked before use: a mistake names the file, the rule and the field."""

from __future__ import annotations

import shutil

import pytest
import yaml

from tracker.services.rulebook import PACKAGED_RULES, RulesError, load_rulebook, packaged_rulebook


@pytest.fixture
def rules_copy(tmp_path):
    """A writable copy of the shipped rules folder; returns the rules file's path."""
    folder = tmp_path / "legal"
    shutil.copytree(PACKAGED_RULES.parent, folder)
    return folder / "rules.yaml"


def edit_rule(path, rule_id: str, **changes) -> None:
    document = yaml.safe_load(path.read_text())
    [rule] = [rule for rule in document["rules"] if rule["id"] == rule_id]
    for key, value in changes.items():
        if value is None:
            rule.pop(key, None)
        else:
            rule[key] = value
    path.write_text(yaml.safe_dump(document, allow_unicode=True))


def problems(path) -> str:
    with pytest.raises(RulesError) as caught:
        load_rulebook(path)
    return str(caught.value)


def test_the_shipped_rules_cover_every_rule_in_the_references():
    book = packaged_rulebook()
    assert {rule.id for rule in book.rules} == {
        "EU825-GENERIC",
        "EU825-WHOLE",
        "EU825-OFFSET",
        "EU825-LABEL",
        "EU825-LEGAL",
        "EU825-FUTURE",
        "ACM-VAGUE",
        "ACM-AMBITION",
        "CDR-ABSOLUTE",
        "CMA-GENERIC",
        "CMA-PARTIAL",
        "MP-EU78",
        "MP-PSF",
    }
    for rule in book.rules:
        assert rule.link.startswith("https://")
        assert rule.title.en and rule.title.nl and rule.explanation.en and rule.explanation.nl
        assert rule.jurisdiction in book.jurisdictions


def test_the_references_caveats_stay_with_their_rules():
    book = packaged_rulebook()
    assert "entry 78 paragraph 16" in book.rule("MP-EU78").caveats[0].en
    assert "28 May 2026" in book.rule("EU825-OFFSET").caveats[0].en


def test_a_bad_date_names_the_rule_and_the_field(rules_copy):
    edit_rule(rules_copy, "EU825-OFFSET", applies_from="2026-13-01")
    message = problems(rules_copy)
    assert "rules.yaml: rules[2] (EU825-OFFSET): applies_from" in message
    assert "not a real date" in message


def test_a_missing_dutch_title_names_the_field(rules_copy):
    edit_rule(rules_copy, "ACM-VAGUE", title={"en": "Vague sustainability term"})
    assert "(ACM-VAGUE): title.nl: Field required" in problems(rules_copy)


def test_an_unknown_lexicon_is_refused(rules_copy):
    edit_rule(rules_copy, "CDR-ABSOLUTE", trigger={"terms": ["absolut"]})
    assert "(CDR-ABSOLUTE): trigger: no lexicon 'absolut'" in problems(rules_copy)


def test_an_unknown_fact_and_jurisdiction_are_refused(rules_copy):
    edit_rule(
        rules_copy,
        "EU825-LABEL",
        jurisdiction="XX",
        trigger={"facts": [{"fact": "certified", "is": False, "when_unknown": "flag"}]},
    )
    message = problems(rules_copy)
    assert "(EU825-LABEL): trigger.facts.0: unknown fact 'certified'" in message


def test_a_law_needs_the_date_it_applies_from(rules_copy):
    edit_rule(rules_copy, "CMA-GENERIC", applies_from=None)
    assert "(CMA-GENERIC): applies_from: Field required" in problems(rules_copy)


def test_a_broken_lexicon_names_its_file(rules_copy):
    lexicon = rules_copy.parent / "lexicons" / "vague.yaml"
    lexicon.write_text("title: {en: vague}\n")
    assert "lexicons/vague.yaml: title.nl: Field required" in problems(rules_copy)

    lexicon.write_text("title: {en: vague, nl: vaag}\nterms: {xx: [vague]}\n")
    assert "lexicons/vague.yaml: terms.xx: unknown language" in problems(rules_copy)


def test_rules_that_are_not_yaml_say_so(rules_copy):
    rules_copy.write_text("rules: [unclosed\n")
    assert "not valid YAML" in problems(rules_copy)


def test_the_digest_changes_when_a_lexicon_changes(rules_copy):
    before = load_rulebook(rules_copy).digest
    lexicon = rules_copy.parent / "lexicons" / "absolute.yaml"
    lexicon.write_text(lexicon.read_text().replace("fully,", "fully, wholly,"))
    assert load_rulebook(rules_copy).digest != before
