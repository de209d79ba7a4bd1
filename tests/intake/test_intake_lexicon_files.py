"""Lexicons as data: the built-in one, extending it, and located errors for bad files."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import pytest

from logix_rules import ErrorCode
from logix_rules.intake import (
    Lexicon,
    LexiconError,
    MissingField,
    ReportKind,
    classify,
    default_lexicon,
    load_lexicon,
    loads_lexicon,
)
from logix_rules.intake._lexicon import Role

SHOP = """\
format: 1
name: shop
version: "2026.3"
extends: default
settings: {description_min_words: 3}
languages:
  it: {markers: [il, la, non, è], negations: [non, mai]}
kinds:
  damaged:
    terms:
      en: ["box caved in", {term: squashy, weight: 0.6}]
      it: [rotto, rotta, danneggiat*]
  wismo:
    requires: [tracking_number, description]
fields:
  order_cues: {en: [po]}
"""


def test_the_builtin_lexicon_ships_as_package_data() -> None:
    resource = importlib.resources.files("logix_rules").joinpath("intake", "lexicon.yaml")
    assert resource.is_file()
    lexicon = default_lexicon()
    assert lexicon is default_lexicon()  # loaded once
    assert lexicon.name == "default"
    assert lexicon.version.count(".") == 2
    assert set(lexicon.languages) == {"en", "pt", "es", "de", "fr", "zh"}
    for kind in ReportKind:
        if kind is ReportKind.OTHER:
            continue
        languages = {t.language for t in lexicon.terms if t.kind is kind}
        assert languages == set(lexicon.languages), kind
    assert load_lexicon("default") is lexicon


def test_an_extension_adds_terms_languages_and_settings(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP, "utf-8")
    shop = load_lexicon(path)
    assert isinstance(shop, Lexicon)
    assert shop.label == "shop@2026.3"
    assert shop.files == ("<builtin>/lexicon.yaml", str(path))
    assert shop.settings.description_min_words == 3
    assert shop.settings.threshold == default_lexicon().settings.threshold
    assert len(shop.terms) > len(default_lexicon().terms)
    # the base's terms still work, and the new ones
    assert classify("It arrived broken", lexicon=shop).kinds == (ReportKind.DAMAGED,)
    assert classify("The box caved in", lexicon=shop).kinds == (ReportKind.DAMAGED,)
    assert classify("The box caved in").kinds == (ReportKind.OTHER,)
    italian = classify("Il vaso è arrivato rotto", lexicon=shop)
    assert (italian.kinds, italian.language) == ((ReportKind.DAMAGED,), "it")
    assert classify("Il vaso non è rotto", lexicon=shop).kinds == (ReportKind.OTHER,)
    # requires overridden per kind
    assert shop.requires[ReportKind.WISMO] == (
        MissingField.TRACKING_NUMBER,
        MissingField.DESCRIPTION,
    )
    assert classify("PO 7010875266 where is my parcel?", lexicon=shop).tracking_numbers == ()
    # classify() also takes the path itself
    assert classify("The box caved in", lexicon=path).kinds == (ReportKind.DAMAGED,)


def test_extends_can_be_given_to_load_lexicon(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(SHOP.replace("extends: default\n", ""), "utf-8")
    assert load_lexicon(path, extends="default").label == "shop@2026.3"
    with pytest.raises(LexiconError, match="not declared"):
        load_lexicon(path)  # alone it knows no 'en'


def test_a_relative_extends_is_read_beside_the_file(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(SHOP.replace('"2026.3"', '"1"'), "utf-8")
    child = tmp_path / "child.yaml"
    child.write_text(
        "format: 1\nname: child\nversion: '2'\nextends: base.yaml\n"
        "kinds: {refused: {terms: {it: [rifiutato]}}}\n",
        "utf-8",
    )
    lexicon = load_lexicon(child)
    assert lexicon.files[-2:] == (str(tmp_path / "base.yaml"), str(child))
    assert classify("Ho rifiutato il pacco", lexicon=lexicon).kinds == (ReportKind.REFUSED,)


def _issues(text: str, **kwargs: str) -> list[str]:
    with pytest.raises(LexiconError) as caught:
        loads_lexicon(text, file="shop.yaml", **kwargs)
    assert caught.value.code is ErrorCode.BAD_LEXICON
    return [str(issue) for issue in caught.value.issues]


HEAD = "format: 1\nname: shop\nversion: '1'\nextends: default\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("kindz: {}\n", "shop.yaml:5:1: bad_lexicon: unknown key 'kindz' Did you mean 'kinds'?"),
        ("kinds: {lost: {terms: {en: [gone]}}}\n", "shop.yaml:5:9: bad_lexicon: unknown report"),
        ("kinds: {damaged: {terms: {en: [no]}}}\n", "YAML reads no, yes, on and off"),
        ("kinds: {damaged: {terms: {xx: [gone]}}}\n", "language 'xx' is not declared"),
        ("kinds: {damaged: {terms: {en: ['.. gone']}}}\n", "'..' goes between two words"),
        ("kinds: {damaged: {terms: {en: ['ab*']}}}\n", "shorter than 3 letters"),
        ("kinds: {damaged: {terms: {en: [{term: x, weight: 0}]}}}\n", "weight must be a number"),
        ("kinds: {other: {terms: {en: [meh]}}}\n", "'other' has no terms"),
        ("kinds: {damaged: {requires: [foto]}}\n", "unknown field 'foto'"),
        ("settings: {threshold: 500}\n", "threshold must be a number from 0.01 to 100"),
        ("settings: {gap_words: 2.5}\n", "gap_words must be an integer"),
        ("settings: {treshold: 1}\n", "Did you mean 'threshold'?"),
        ("languages: {English: {}}\n", "'English' is not a language code"),
        ("han_fold: {損壞: 损坏}\n", "one character to one character"),
        ("fields: {pictures: {en: [pic]}}\n", "unknown field list 'pictures'"),
    ],
)
def test_bad_lexicons_are_reported_where_the_problem_is(body: str, expected: str) -> None:
    issues = _issues(HEAD + body)
    assert len(issues) == 1
    assert expected in issues[0]
    assert issues[0].startswith("shop.yaml:5:") or issues[0].startswith("shop.yaml:")


def test_every_problem_is_reported_at_once() -> None:
    issues = _issues(HEAD + "kindz: {}\nsettings: {threshold: -1}\n")
    assert len(issues) == 2
    assert issues == sorted(issues)


def test_format_name_and_version_are_required() -> None:
    issues = _issues("kinds: {}\n")
    assert any("format must be 1" in i for i in issues)
    assert any("name must be text" in i for i in issues)
    assert any("version must be text" in i for i in issues)


def test_yaml_problems_keep_their_code() -> None:
    with pytest.raises(LexiconError) as caught:
        loads_lexicon(HEAD + "kinds: {damaged: [\n", file="shop.yaml")
    assert caught.value.issues[0].code is ErrorCode.YAML_SYNTAX


def test_missing_files_and_bases(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="cannot read the lexicon file"):
        load_lexicon(tmp_path / "nope.yaml")
    assert any(
        "cannot read the lexicon 'nope.yaml' to extend" in i
        for i in _issues(HEAD.replace("default", "nope.yaml"))
    )


def test_a_circle_of_extends_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("format: 1\nname: a\nversion: '1'\nextends: b.yaml\n", "utf-8")
    (tmp_path / "b.yaml").write_text("format: 1\nname: b\nversion: '1'\nextends: a.yaml\n", "utf-8")
    with pytest.raises(LexiconError, match="circle"):
        load_lexicon(tmp_path / "a.yaml")


def test_the_extends_argument_must_agree_with_the_file() -> None:
    assert any("extends=" in i for i in _issues(HEAD, extends="other.yaml"))


def test_term_roles_are_kept_apart() -> None:
    lexicon = default_lexicon()
    assert lexicon.terms_of(Role.IGNORE)
    assert all(t.kind is None for t in lexicon.terms_of(Role.GOODS))
    assert all(t.kind is not None for t in lexicon.terms_of(Role.NEGATED))
