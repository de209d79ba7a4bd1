"""The compiler under hostile packs (issue 11, sections 1, 2, 4 and 5).

Nothing a pack says is executed or pasted as code; ``extends`` reads only packs and no
error shows a file's content; literals and durations outside the documented bounds
are refused; the compiler is linear and bounded, and every violation is a located
``PackError``, never a hang, a crash or another exception.
"""

from __future__ import annotations

import ast
import json
import sys
import types
import warnings
from pathlib import Path
from typing import Any

import pytest

from logix_rules import ErrorCode, Pack, PackError, PackIssue, load_pack, loads_pack
from logix_rules.cli._main import main
from logix_rules.compiler import _limits

LEVELS = """\
format: 1
name: shop
severities:
  P1: {respond: 5m, resolve: 2h, escalate_after: 30m}
"""

#: Every control character, the Unicode line separators, and each quote style.
HOSTILE_CHARS = [
    *(chr(c) for c in range(32)),
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "'",
    '"',
    "'''",
    '"""',
    "\\",
    "\\'",
    "#",
    "{",
    "}",
]
CANARY = "CODE RAN"


def rule_pack(**fields: str) -> str:
    """A pack with one rule ``r``; ``fields`` are YAML lines of the rule, verbatim."""
    lines = {"id": "r", "kind": "k", "severity": "P1", **fields}
    return LEVELS + "rules:\n  - " + "\n    ".join(f"{k}: {v}" for k, v in lines.items()) + "\n"


def issues_of(text: str, file: str = "pack.yaml") -> list[PackIssue]:
    with pytest.raises(PackError) as caught:
        loads_pack(text, file=file)
    return caught.value.issues


def only(issues: list[PackIssue]) -> PackIssue:
    assert len(issues) == 1, "\n".join(map(str, issues))
    return issues[0]


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, every character outside printable ASCII
    escaped (YAML refuses most control characters even inside quotes)."""
    return (
        '"'
        + "".join(
            ch if " " <= ch <= "~" and ch not in '"\\' else f"\\U{ord(ch):08x}" for ch in text
        )
        + '"'
    )


def assert_safe_module(pack: Pack) -> ast.Module:
    """The generated module parses, defines only functions, and every line is printable."""
    source = pack.module_source
    tree = ast.parse(source)
    assert all(isinstance(node, ast.FunctionDef) for node in tree.body), ast.dump(tree)[:500]
    for line in source.split("\n"):
        assert line.isprintable(), repr(line)
    return tree


# -- 1. nothing from input is executed or echoed as code ------------------------------------
@pytest.mark.parametrize("char", HOSTILE_CHARS, ids=[repr(c) for c in HOSTILE_CHARS])
def test_a_file_name_with_any_character_is_never_code(
    char: str, capsys: pytest.CaptureFixture[str]
) -> None:
    file = f'x{char}print("{CANARY}"){char}#{char}'
    pack = loads_pack(rule_pack(when="final"), file=file)
    tree = assert_safe_module(pack)
    assert {f.name for f in tree.body if isinstance(f, ast.FunctionDef)} == {
        "r__when",
        "r__values",
        "__rules",
        "__absorb",
    }
    header = pack.module_source.split("\n", 1)[0]
    assert header == f"# logix: generated code for pack 'shop' ({file!r})"
    assert pack.file == file
    out = capsys.readouterr()
    assert CANARY not in out.out + out.err


def test_the_file_name_of_the_issue_runs_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    pack = loads_pack(rule_pack(when="final"), file='x\nprint("CODE RAN")\n#')
    assert "\nprint(" not in pack.module_source
    assert CANARY not in capsys.readouterr().out


@pytest.mark.parametrize("char", HOSTILE_CHARS, ids=[repr(c) for c in HOSTILE_CHARS])
def test_text_with_any_character_reaches_the_module_only_escaped(
    char: str, capsys: pytest.CaptureFixture[str]
) -> None:
    weird = f"a{char}b{char}print('{CANARY}')"
    literal = repr(weird)  # how the expression writes it: a Python literal, escaped
    text = rule_pack(
        when=yaml_quoted(f"shipment.carrier == {literal} or attr({literal}, 0) > 1"),
        anchor="last_scan",
        title=yaml_quoted(weird),
        remedy="{code: " + yaml_quoted(weird) + ", text: " + yaml_quoted(weird) + "}",
        explain=yaml_quoted(weird.replace("{", "{{").replace("}", "}}") + " {last_scan}"),
    ).replace("name: shop", "name: " + yaml_quoted(weird))
    text = text.replace("  P1:", f"  {yaml_quoted('P1' + char)}:").replace(
        "severity: P1", f"severity: {yaml_quoted('P1' + char)}"
    )
    pack = loads_pack(text, file="pack.yaml")
    tree = assert_safe_module(pack)
    names = {f.name for f in tree.body if isinstance(f, ast.FunctionDef)}
    assert names == {"r__when", "r__anchor", "r__after_0", "r__explain_0", "r__values"} | {
        "__rules",
        "__absorb",
    }
    # The literals survive exactly, as data: the remedy, the title and the attribute name.
    rule = pack.rules[0]
    assert rule.title == weird
    remedy = rule.steps[0].remedy
    assert remedy is not None
    assert remedy.code == weird
    assert weird in pack.attr_types
    assert pack.name == weird
    assert CANARY not in "".join(capsys.readouterr())


@pytest.mark.parametrize("char", HOSTILE_CHARS, ids=[repr(c) for c in HOSTILE_CHARS])
@pytest.mark.parametrize("quote", ["'", '"', "'''", '"""'])
def test_a_condition_with_any_raw_character_compiles_safely_or_is_an_error(
    char: str, quote: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The character itself, unescaped, inside a string literal of the condition: it
    # reaches the comments of the generated code, which must stay comments.
    condition = f'shipment.carrier == {quote}a{char}print("{CANARY}"){char}#{quote}'
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(condition, mode="eval")
    except (SyntaxError, ValueError):
        parses = False
    else:
        parses = True
    text = rule_pack(when=yaml_quoted(condition))
    if parses:
        pack = loads_pack(text)
        assert_safe_module(pack)
        assert pack.rules[0].when_source == condition.strip()
    else:
        assert only(issues_of(text)).code is ErrorCode.EXPR_SYNTAX
    assert CANARY not in "".join(capsys.readouterr())


@pytest.mark.parametrize("char", HOSTILE_CHARS, ids=[repr(c) for c in HOSTILE_CHARS])
@pytest.mark.parametrize("where", ["id", "kind", "deadline", "param"])
def test_a_name_with_any_character_is_not_an_identifier(char: str, where: str) -> None:
    name = "r1" + char
    if where == "id":
        text = rule_pack(id=yaml_quoted(name))
    elif where == "kind":
        text = rule_pack(kind=yaml_quoted(name))
    elif where == "deadline":
        text = rule_pack(deadlines="{" + yaml_quoted(name) + ": 24h}")
    else:
        text = LEVELS + "params:\n  " + yaml_quoted(name) + ": {type: number, default: 1}\n"
    issue = only(issues_of(text))
    assert issue.code is ErrorCode.BAD_IDENTIFIER
    assert issue.input == name
    assert "\n" not in str(issue)  # the check line stays one line


def test_a_rule_id_with_a_trailing_newline_is_refused() -> None:
    issue = only(issues_of(rule_pack(id='"r1\\n"')))
    assert issue.code is ErrorCode.BAD_IDENTIFIER
    assert str(issue).endswith("(rule r1\\n)")


def test_a_param_named_like_a_keyword_is_refused() -> None:
    text = LEVELS + "params:\n  if: {type: number, default: 1}\n"
    issue = only(issues_of(text))
    assert issue.code is ErrorCode.BAD_IDENTIFIER
    assert "word of the condition language" in issue.msg


# -- 2. extends reads only packs, and no error shows a file ---------------------------------
SECRET = "TOPSECRET-4f1c"


def _reported(error: PackError) -> str:
    """Everything an error can show: its text, the issues' dicts and reprs."""
    return "\n".join(
        [str(error), *(json.dumps(i.to_dict()) for i in error.issues), *map(repr, error.issues)]
    )


@pytest.fixture
def secrets(tmp_path: Path) -> dict[str, Path]:
    files = {
        "text": tmp_path / "secret.txt",
        "yaml": tmp_path / "secrets.yaml",
        "scalar": tmp_path / "notes.yml",
        "list": tmp_path / "list.yaml",
        "binary": tmp_path / "binary.yaml",
    }
    files["text"].write_text(f"root:{SECRET}:0:0\nline two {SECRET}\n")
    files["yaml"].write_text(f"password: {SECRET}\n{SECRET}: 1\nformat: json\n")
    files["scalar"].write_text(f"just some text {SECRET}\nover two lines {SECRET}\n")
    files["list"].write_text(f"- {SECRET}\n- {SECRET}\n")
    files["binary"].write_bytes(b"\xff\xfe" + SECRET.encode())
    return files


@pytest.mark.parametrize("kind", ["text", "yaml", "scalar", "list"])
def test_extends_of_a_file_that_is_not_a_pack_shows_none_of_it(
    kind: str, secrets: dict[str, Path], tmp_path: Path
) -> None:
    pack = tmp_path / "shop.yaml"
    pack.write_text(LEVELS + f"extends: {secrets[kind]}\n")
    with pytest.raises(PackError) as caught:
        load_pack(pack)
    issue = only(caught.value.issues)
    assert issue.code is ErrorCode.NOT_A_PACK
    assert issue.file == str(pack)
    assert (issue.line, issue.column) == (5, 10)
    assert SECRET not in _reported(caught.value)


def test_extends_of_a_file_that_is_not_utf8_shows_none_of_it(
    secrets: dict[str, Path], tmp_path: Path
) -> None:
    pack = tmp_path / "shop.yaml"
    pack.write_text(LEVELS + f"extends: {secrets['binary']}\n")
    with pytest.raises(PackError) as caught:
        load_pack(pack)
    issue = only(caught.value.issues)
    assert issue.code is ErrorCode.YAML_SYNTAX
    assert (issue.file, issue.line, issue.column) == (str(secrets["binary"]), 1, 1)
    assert SECRET not in _reported(caught.value)


@pytest.mark.skipif(not Path("/etc/passwd").is_file(), reason="no /etc/passwd here")
def test_extends_etc_passwd_in_check_json_shows_no_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "shop.yaml"
    pack.write_text(LEVELS + "extends: /etc/passwd\n")
    assert main(["check", "--format", "json", str(pack)]) == 1
    out = capsys.readouterr().out
    (report,) = json.loads(out)
    (issue,) = report["issues"]
    assert issue["code"] == "not_a_pack"
    assert issue["input"] == "/etc/passwd"
    assert (issue["line"], issue["column"]) == (5, 10)
    first_line = Path("/etc/passwd").read_text("utf-8", "replace").splitlines()[0]
    assert first_line not in out


def test_check_json_never_shows_a_secret_file(
    secrets: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    packs = []
    for kind, file in secrets.items():
        pack = tmp_path / f"extends_{kind}.yaml"
        pack.write_text(LEVELS + f"extends: {file}\n")
        packs.append(str(pack))
    assert main(["check", "--format", "json", *packs]) == 1
    out = capsys.readouterr().out
    assert len(json.loads(out)) == len(secrets)
    assert SECRET not in out


def test_extends_a_pack_through_dotdot_itself_is_a_cycle(tmp_path: Path) -> None:
    folder = tmp_path / "packs"
    folder.mkdir()
    pack = folder / "shop.yaml"
    pack.write_text(LEVELS + "extends: ../packs/shop.yaml\n")
    issue = only(_load_issues(pack))
    assert issue.code is ErrorCode.EXTENDS_CYCLE


def test_a_cycle_through_a_symlink_is_a_cycle(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(LEVELS + "extends: b.yaml\n")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    issue = only(_load_issues(tmp_path / "a.yaml"))
    assert issue.code is ErrorCode.EXTENDS_CYCLE


def test_an_extends_chain_is_bounded(tmp_path: Path) -> None:
    depth = _limits.MAX_EXTENDS_DEPTH + 2
    for n in range(depth):
        parent = f"extends: p{n + 1}.yaml\n" if n + 1 < depth else ""
        (tmp_path / f"p{n}.yaml").write_text(f"format: 1\nname: p{n}\n{parent}")
    issue = only(_load_issues(tmp_path / "p0.yaml"))
    assert issue.code is ErrorCode.NOT_A_PACK
    assert f"more than {_limits.MAX_EXTENDS_DEPTH} levels" in issue.msg


def test_extends_of_a_name_that_is_neither_builtin_nor_yaml(tmp_path: Path) -> None:
    issue = only(issues_of(LEVELS + "extends: defualt\n"))
    assert issue.code is ErrorCode.NOT_A_PACK
    assert "Did you mean 'default'?" in issue.msg
    assert issue.input == "defualt"


def test_extends_of_a_base_pack_too_large_is_refused_unread(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text("format: 1\nname: base\n" + "#" * (_limits.MAX_PACK_BYTES + 10) + "\n")
    (tmp_path / "shop.yaml").write_text(LEVELS + "extends: base.yaml\n")
    issue = only(_load_issues(tmp_path / "shop.yaml"))
    assert issue.code is ErrorCode.PACK_TOO_LARGE
    assert (issue.line, issue.column) == (5, 10)


@pytest.mark.parametrize("ref", ["dir.yaml", "a\x00b.yaml", "x" * 5000 + ".yaml", "/dev/null.yaml"])
def test_extends_of_an_odd_path_is_located(ref: str, tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    pack = tmp_path / "shop.yaml"
    pack.write_text(LEVELS + f"extends: {yaml_quoted(ref)}\n")
    issue = only(_load_issues(pack))
    assert issue.code is ErrorCode.FILE_NOT_FOUND
    assert (issue.line, issue.column) == (5, 10)


def _load_issues(ref: str | Path) -> list[PackIssue]:
    with pytest.raises(PackError) as caught:
        load_pack(ref)
    return caught.value.issues


def test_error_inputs_and_messages_are_truncated() -> None:
    huge = "x" * 100_000
    text = LEVELS.replace("format: 1", f"format: {huge}")
    issue = only(issues_of(text))
    assert issue.code is ErrorCode.UNSUPPORTED_FORMAT
    assert isinstance(issue.input, str)
    assert len(issue.input) <= 200
    assert len(issue.msg) <= 1000
    assert len(json.dumps(issue.to_dict())) < 2000
    assert len(repr(issue)) < 2000


def test_the_input_of_an_issue_is_clipped_whoever_builds_it() -> None:
    issue = PackIssue(ErrorCode.WRONG_TYPE, "m" * 5000, input="i" * 5000)
    assert len(issue.input) == 200
    assert issue.input.endswith("…")
    assert len(issue.msg) == 1000
    assert PackIssue(ErrorCode.WRONG_TYPE, "m", input=10**5000).input.startswith("<an integer")


# -- 4. literals and durations within documented bounds ------------------------------------
@pytest.mark.parametrize(
    ("fields", "at"),
    [
        ({"when": '"shipment.freight_cost > 1e309"'}, "1e309"),
        ({"when": '"shipment.freight_cost > -1e16"'}, "1e16"),
        ({"when": f'"shipment.freight_cost > {10**16}"'}, str(10**16)),
        ({"when": '"shipment.freight_cost in (1, 2, 1e400)"'}, "1e400"),
        ({"when": "\"count(status='delivered') > 1e300\""}, "1e300"),
        ({"anchor": "last_scan", "after": "99999999999w"}, "99999999999w"),
        ({"anchor": "last_scan", "after": "9" * 400 + "d"}, "9" * 400),
        ({"anchor": "last_scan", "after": "36501d"}, "36501d"),
        ({"anchor": "last_scan", "after": '"hours(1e15)"'}, "hours"),
        ({"anchor": "last_scan", "after": "\"duration('5300w')\""}, "'5300w'"),
        ({"deadlines": "{claim: 40000d}"}, "40000d"),
        ({"remedy": '{code: refund, items: [{code: x, amount: "1e27"}]}'}, "1e27"),
        ({"remedy": "{code: refund, items: [{code: x, amount: .inf}]}"}, ".inf"),
    ],
)
def test_out_of_range_literals_are_refused(fields: dict[str, str], at: str) -> None:
    text = rule_pack(**fields)
    issue = only(issues_of(text))
    assert issue.code is ErrorCode.OUT_OF_RANGE, str(issue)
    assert issue.line == text[: text.index(at)].count("\n") + 1
    assert issue.hint


@pytest.mark.parametrize(
    ("ptype", "value"),
    [
        ("number", "1.0e+400"),
        ("number", ".nan"),
        ("number", "-.inf"),
        ("integer", "10000000000000001"),
        ("money", "1.0e+300"),
        ("money", "'" + "9" * 400 + " EUR'"),
        ("percent", "'1e400%'"),
        ("duration", "1000000w"),
        ("duration", "'" + "9" * 400 + "s'"),
    ],
)
def test_out_of_range_param_values_are_refused(ptype: str, value: str) -> None:
    text = LEVELS + f"params:\n  p: {{type: {ptype}, default: {value}}}\n"
    issue = only(issues_of(text))
    assert issue.code is ErrorCode.OUT_OF_RANGE, str(issue)


def test_out_of_range_severity_windows_are_refused() -> None:
    issue = only(issues_of(LEVELS.replace("resolve: 2h", "resolve: 99999999999w")))
    assert issue.code is ErrorCode.OUT_OF_RANGE


def test_the_bounds_themselves_are_allowed() -> None:
    text = rule_pack(
        when='"shipment.freight_cost > -1e15 and shipment.freight_cost < 1000000000000000"',
        anchor="last_scan",
        after="36500d",
        deadlines="{claim: '5214w2d'}",
    )
    pack = loads_pack(text)
    assert pack.rules[0].steps[0].after is not None


# -- 5. the compiler is bounded -------------------------------------------------------------
def _count_calls(text: str) -> int:
    """Python and built-in calls made while compiling ``text``: a measure of work."""
    calls = 0

    def profile(frame: types.FrameType, event: str, arg: Any) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(profile)
    try:
        loads_pack(text)
    finally:
        sys.setprofile(None)
    return calls


def test_long_and_chains_compile_in_linear_work() -> None:
    def chain(terms: int) -> str:
        return rule_pack(when='"' + " and ".join(["final"] * terms) + '"')

    small, large = _count_calls(chain(2000)), _count_calls(chain(4000))
    # Re-reading the whole expression for every name made this ratio about 4.
    assert large / small < 2.3, (small, large)


def test_a_4000_term_chain_of_comparisons_compiles() -> None:
    terms = [f"shipment.freight_cost > {i}" for i in range(4000)]
    pack = loads_pack(rule_pack(when='"' + " and ".join(terms) + '"'))
    assert len(pack.rules[0].when_source) > 100_000


def _laughs(levels: int, width: int = 10) -> str:
    lines = ["lol0: &lol0 [" + ", ".join(["lol"] * width) + "]"]
    for n in range(1, levels):
        lines.append(f"lol{n}: &lol{n} [" + ", ".join([f"*lol{n - 1}"] * width) + "]")
    return LEVELS + "\n".join(lines) + "\n"


def _merge_laughs(levels: int) -> str:
    lines = ["m0: &m0 {x: 1, y: 2}"]
    for n in range(1, levels):
        lines.append(f"m{n}: &m{n} {{<<: [*m{n - 1}, *m{n - 1}], k{n}: 1}}")
    return LEVELS + "\n".join(lines) + "\n"


def _nested(depth: int) -> str:
    return LEVELS + "rules:\n  - " + "[" * depth + "]" * depth + "\n"


BOMBS: list[tuple[str, str | bytes, ErrorCode]] = [
    ("billion laughs", _laughs(9), ErrorCode.YAML_TOO_COMPLEX),
    ("laughs through merge keys", _merge_laughs(40), ErrorCode.YAML_TOO_COMPLEX),
    ("recursive alias", LEVELS + "rules: &r [*r]\n", ErrorCode.YAML_TOO_COMPLEX),
    ("recursive mapping alias", LEVELS + "params: &p {x: *p}\n", ErrorCode.YAML_TOO_COMPLEX),
    ("recursive merge", LEVELS + "params: &p {<<: *p}\n", ErrorCode.YAML_TOO_COMPLEX),
    ("deep YAML", _nested(100_000), ErrorCode.YAML_TOO_COMPLEX),
    (
        "aliases deepening",
        LEVELS
        + "a0: &a0 "
        + "[" * 40
        + "]" * 40
        + "\n"
        + "".join(f"a{n}: &a{n} " + "[" * 40 + f"*a{n - 1}" + "]" * 40 + "\n" for n in range(1, 5)),
        ErrorCode.YAML_TOO_COMPLEX,
    ),
    (
        "10 MB string",
        LEVELS + "description: '" + "x" * 10_000_000 + "'\n",
        ErrorCode.PACK_TOO_LARGE,
    ),
    (
        "10 MB string literal in a condition",
        rule_pack(when="\"shipment.carrier == '" + "x" * 10_000_000 + "'\""),
        ErrorCode.PACK_TOO_LARGE,
    ),
    (
        "100 KB string literal",
        rule_pack(when="\"shipment.carrier == '" + "x" * 100_000 + "'\""),
        ErrorCode.EXPR_TOO_COMPLEX,
    ),
    ("not x 5000", rule_pack(when='"' + "not " * 5000 + 'final"'), ErrorCode.EXPR_TOO_COMPLEX),
    (
        "100k brackets",
        rule_pack(when='"' + "(" * 100_000 + "final" + ")" * 100_000 + '"'),
        ErrorCode.EXPR_TOO_COMPLEX,
    ),
    (
        "10k brackets",
        rule_pack(when='"' + "(" * 10_000 + "final" + ")" * 10_000 + '"'),
        ErrorCode.EXPR_TOO_COMPLEX,
    ),
    (
        "a long sum",
        rule_pack(when='"' + " + ".join(["scans"] * 5000) + ' > 1"'),
        ErrorCode.EXPR_TOO_COMPLEX,
    ),
    ("minus x 5000", rule_pack(when='"' + "-" * 5000 + 'scans > 1"'), ErrorCode.EXPR_TOO_COMPLEX),
    (
        "nested ifs",
        rule_pack(when='"' + " if final else ".join(["final"] * 3000) + '"'),
        ErrorCode.EXPR_TOO_COMPLEX,
    ),
    (
        "nested calls",
        rule_pack(when='"' + "abs(" * 300 + "scans" + ")" * 300 + ' > 1"'),
        ErrorCode.EXPR_TOO_COMPLEX,
    ),
    ("5000-digit number", rule_pack(when='"scans > ' + "9" * 5000 + '"'), ErrorCode.OUT_OF_RANGE),
    ("NUL byte", rule_pack(when="final\x00"), ErrorCode.YAML_SYNTAX),
    ("NUL escaped into a condition", rule_pack(when='"final\\0"'), ErrorCode.EXPR_SYNTAX),
    ("lone surrogate", rule_pack(when='"final"') + "# \ud800\n", ErrorCode.YAML_SYNTAX),
    ("year-0 timestamp", LEVELS + "description: 0000-01-01\n", ErrorCode.YAML_SYNTAX),
    ("bad int tag", LEVELS + "description: !!int abc\n", ErrorCode.YAML_SYNTAX),
    ("5000-digit YAML int", LEVELS + "description: " + "9" * 5000 + "\n", ErrorCode.YAML_SYNTAX),
    ("binary value", LEVELS + "description: !!binary aGVsbG8=\n", ErrorCode.YAML_SYNTAX),
    ("python tag", LEVELS + "description: !!python/object:os.system {}\n", ErrorCode.YAML_SYNTAX),
    (
        "python name tag",
        LEVELS + "description: !!python/name:os.system ''\n",
        ErrorCode.YAML_SYNTAX,
    ),
    ("set tag", LEVELS + "params: !!set {a, b}\n", ErrorCode.YAML_SYNTAX),
    ("complex key", LEVELS + "? [a, b]\n: c\n", ErrorCode.YAML_SYNTAX),
    ("escape of no character", LEVELS + 'description: "\\U99999999"\n', ErrorCode.YAML_SYNTAX),
    ("empty int tag", LEVELS + "description: !!int\n", ErrorCode.YAML_SYNTAX),
    ("empty timestamp tag", LEVELS + "description: !!timestamp\n", ErrorCode.YAML_SYNTAX),
    ("two documents", LEVELS + "---\n" + LEVELS, ErrorCode.YAML_SYNTAX),
]


@pytest.mark.parametrize(("label", "text", "code"), BOMBS, ids=[b[0] for b in BOMBS])
def test_hostile_packs_are_located_pack_errors(label: str, text: str, code: ErrorCode) -> None:
    assert isinstance(text, str)
    issues = issues_of(text)
    assert code in {i.code for i in issues}, "\n".join(map(str, issues))
    for issue in issues:
        assert len(str(issue)) < 2000


@pytest.mark.parametrize(
    "section",
    ["format", "name", "description", "extends", "params", "severities", "rules", "disable"],
)
@pytest.mark.parametrize("value", ["5", "x", "[]", "{}", "null", "true", "1.5", "[[x]]", "{a: b}"])
def test_a_wrong_typed_section_is_reported_not_crashed(section: str, value: str) -> None:
    lines = {
        "format": "1",
        "name": "shop",
        "severities": "{P1: {respond: 5m, resolve: 2h, escalate_after: 30m}}",
        "rules": "[{id: r, kind: k, severity: P1, when: final}]",
    }
    lines[section] = value
    text = "".join(f"{key}: {val}\n" for key, val in lines.items())
    outcome: Pack | PackError
    try:
        outcome = loads_pack(text)
    except PackError as error:  # anything else fails the test
        outcome = error
    if isinstance(outcome, PackError):
        assert all(issue.line > 0 for issue in outcome.issues), str(outcome)


def test_severities_5_is_a_located_wrong_type() -> None:
    text = rule_pack(when="final").replace(
        "severities:\n  P1: {respond: 5m, resolve: 2h, escalate_after: 30m}\n", "severities: 5\n"
    )
    codes = {(i.code, i.line) for i in issues_of(text)}
    assert (ErrorCode.WRONG_TYPE, 3) in codes


def test_a_rule_without_severity_under_bad_severities_is_reported() -> None:
    text = "format: 1\nname: s\nseverities: 5\nrules:\n  - {id: r, kind: k, when: final}\n"
    codes = [i.code for i in issues_of(text)]
    assert codes == [ErrorCode.WRONG_TYPE, ErrorCode.MISSING_KEY]


def test_disable_of_a_list_is_a_wrong_type() -> None:
    issue = only(issues_of("format: 1\nname: s\nextends: default\ndisable: [[x]]\n"))
    assert issue.code is ErrorCode.WRONG_TYPE


def test_a_pack_larger_than_the_limit_is_refused_unparsed() -> None:
    text = LEVELS + "#" * _limits.MAX_PACK_BYTES + "\n"
    issue = only(issues_of(text))
    assert issue.code is ErrorCode.PACK_TOO_LARGE
    # counted in UTF-8 bytes: two-byte characters reach the limit at half the length
    wide = LEVELS + "# " + "é" * (_limits.MAX_PACK_BYTES // 2) + "\n"
    assert only(issues_of(wide)).code is ErrorCode.PACK_TOO_LARGE


def test_a_pack_file_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(LEVELS + "#" * _limits.MAX_PACK_BYTES + "\n")
    issue = only(_load_issues(path))
    assert issue.code is ErrorCode.PACK_TOO_LARGE


def test_a_pack_file_with_a_byte_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(LEVELS.encode() + b"description: caf\xe9\n")
    issue = only(_load_issues(path))
    assert (issue.code, issue.line, issue.column) == (ErrorCode.YAML_SYNTAX, 5, 17)


def test_a_nul_byte_is_located() -> None:
    text = rule_pack(when="final\x00")
    issue = only(issues_of(text))
    assert (issue.line, issue.column) == (9, 16)
    assert "#x0000" in issue.msg


# The deepest expression of each shape the limit allows compiles, and so does its
# generated code (which wraps each level in brackets; Python allows 200 levels).
def _deep(shape: str, depth: int) -> str:
    if shape == "not":
        return "not " * (depth - 1) + "final"
    if shape == "brackets":
        return "(" * (depth - 1) + "final" + ")" * (depth - 1)
    if shape == "minus":
        return "-" * (depth - 3) + "shipment.freight_cost > 0"
    if shape == "abs":
        return "abs(" * (depth - 3) + "shipment.freight_cost" + ")" * (depth - 3) + " > 1"
    if shape == "durations":
        inner = "(last_scan - first_scan)"
        for _ in range(depth - 3):
            inner = f"({inner} * 2)"
        return f"{inner} > hours(1)"
    if shape == "as_hours":
        inner = "(last_scan - first_scan)"
        for n in range(depth - 3):
            inner = f"hours(as_hours({inner}))" if n % 2 else inner
        return f"{inner} > hours(1)"
    if shape == "ifs":
        inner = "final"
        for _ in range((depth - 1) // 2):
            inner = f"(final if ({inner}) else not final)"
        return inner
    raise AssertionError(shape)


@pytest.mark.parametrize(
    "shape", ["not", "brackets", "minus", "abs", "durations", "as_hours", "ifs"]
)
def test_the_deepest_allowed_expressions_compile(shape: str) -> None:
    text = rule_pack(when=yaml_quoted(_deep(shape, _limits.MAX_EXPR_DEPTH)))
    pack = loads_pack(text)
    assert_safe_module(pack)


def test_one_level_deeper_is_refused() -> None:
    text = rule_pack(when=yaml_quoted(_deep("not", _limits.MAX_EXPR_DEPTH + 1)))
    assert only(issues_of(text)).code is ErrorCode.EXPR_TOO_COMPLEX


def test_the_limits_are_what_the_docs_say() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "packs.md").read_text("utf-8")
    section = page[page.index("### Limits") :]
    for figure in (
        f"{_limits.MAX_PACK_BYTES:,} bytes",
        f"{_limits.MAX_EXTENDS_DEPTH} above",
        f"{_limits.MAX_YAML_DEPTH} levels",
        f"{_limits.MAX_YAML_NODES:,} values",
        f"{_limits.MAX_EXPR_CHARS:,} characters, {_limits.MAX_EXPR_NODES:,} parts, "
        f"nested {_limits.MAX_EXPR_DEPTH} deep",
        f"{_limits.MAX_STRING_LITERAL:,} characters",
        "at most 1e15",
        "36500d (100 years)",
    ):
        assert figure in section, figure
    assert _limits.MAX_NUMBER == 1e15
    assert _limits.MAX_DURATION == 36_500 * 86_400 * 10**6
    assert _limits.MAX_YAML_CHARS == 2 * 1_048_576
