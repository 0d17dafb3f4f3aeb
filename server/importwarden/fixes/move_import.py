"""Move names of a ``from a import X`` statement to another module (LibCST codemod style).

Rewrites, in one statement:

- ``from a import X``           -> ``from b import X`` (aliases, parentheses, comments and the
  trailing ``# noqa`` kept; relative ``from .a import X`` becomes the absolute path the registry
  names);
- ``from a import X, Z`` with only X moving -> ``from a import Z`` and ``from b import X`` on the
  next line at the same indentation (``; from b import X`` when the statement shares its line
  with code before it, e.g. ``if x: from a import X, Z``);
- several names moving to several modules: one statement per destination, in first-seen order;
- a rename ``a:X -> b:Y`` -> ``from b import Y as X``: every use of ``X`` keeps working without
  touching the rest of the file (see ``rename.py``);
- when an earlier ``from b import …`` exists in the same block (and the file parses), the moved
  name is merged into it instead; the edit then touches two statements, and a statement left
  with no names is deleted with its line(s). Never into a *later* statement: code between the
  two could use the name at import time.

Only the statement's own text is parsed (``statement.py``), so this works while the rest of the
file does not parse; merging is simply skipped then. The usual shapes (a one-line statement,
black's parenthesised layout) with nothing to merge into are planned from their text without
libcst (``_plan_simple``, ``_plan_parenthesized``); tests/unit/fixes/test_move_fast_paths.py
holds them to the libcst path's edits.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from importwarden.analysis.findings import TextEdit
from importwarden.fixes import scope
from importwarden.fixes.rename import binding_alias
from importwarden.fixes.statement import (
    Located, StatementError, code, cst, dotted, dotted_node, locate, parse_small, range_of,
    reindent, dominant_newline_near,
)
from importwarden.lines import LINE_BREAK, split_lines


@dataclass(frozen=True)
class Move:
    """One imported name and where it goes."""

    name: str  # as imported (``*`` for a star import)
    alias: str | None  # ``as`` name, if any
    module: str  # destination module (absolute)
    new_name: str  # destination name (== name unless renamed)


def _alias_key(alias: cst.ImportAlias) -> tuple[str, str | None]:
    asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) \
        else None
    return dotted(alias.name), asname


def _new_alias(move: Move, old: cst.ImportAlias | None) -> cst.ImportAlias:
    bound = binding_alias(move.name, move.alias, move.new_name)
    asname: cst.AsName | None = None
    if bound is not None:
        asname = (old.asname.with_changes(name=cst.Name(bound)) if old is not None and old.asname
                  else cst.AsName(name=cst.Name(bound)))
    if old is None:
        return cst.ImportAlias(name=cst.Name(move.new_name), asname=asname)
    return old.with_changes(name=cst.Name(move.new_name), asname=asname)


def _merge_ws(before: cst.BaseParenthesizableWhitespace,
              after: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    """Whitespace left when the item between ``before`` and ``after`` is removed: keep the first
    line (and its comment) of ``before`` and the indentation that led to what followed."""
    if isinstance(before, cst.ParenthesizedWhitespace):
        if isinstance(after, cst.ParenthesizedWhitespace):
            return before.with_changes(indent=after.indent, last_line=after.last_line,
                                       empty_lines=[*before.empty_lines, *after.empty_lines])
        return before
    return after


def drop_aliases(node: cst.ImportFrom, drop: set[int]) -> cst.ImportFrom:
    """The statement without the aliases at ``drop`` (at least one alias remains)."""
    names = list(node.names)  # type: ignore[arg-type]
    rpar, lpar = node.rpar, node.lpar
    for i in sorted(drop, reverse=True):
        alias = names[i]
        if i < len(names) - 1:
            # Its comma and the comment on its line go with it; comment lines below it belong
            # to the next name and stay.
            after = alias.comma.whitespace_after if isinstance(alias.comma, cst.Comma) else None
            if isinstance(after, cst.ParenthesizedWhitespace) and after.empty_lines:
                if i > 0 and isinstance(names[i - 1].comma, cst.Comma) and isinstance(
                        names[i - 1].comma.whitespace_after, cst.ParenthesizedWhitespace):
                    pc = names[i - 1].comma
                    names[i - 1] = names[i - 1].with_changes(comma=pc.with_changes(
                        whitespace_after=pc.whitespace_after.with_changes(
                            empty_lines=[*pc.whitespace_after.empty_lines, *after.empty_lines])))
                elif i == 0 and lpar is not None and isinstance(lpar.whitespace_after,
                                                                cst.ParenthesizedWhitespace):
                    lpar = lpar.with_changes(whitespace_after=lpar.whitespace_after.with_changes(
                        empty_lines=[*lpar.whitespace_after.empty_lines, *after.empty_lines]))
            del names[i]
            continue
        prev = names[i - 1]
        tail = alias.comma.whitespace_after if isinstance(alias.comma, cst.Comma) else (
            rpar.whitespace_before if rpar is not None else cst.SimpleWhitespace(""))
        pcomma = prev.comma
        assert isinstance(pcomma, cst.Comma)
        multi = isinstance(pcomma.whitespace_after, cst.ParenthesizedWhitespace)
        has_comment = multi and pcomma.whitespace_after.first_line.comment is not None  # type: ignore[union-attr]
        if multi and (isinstance(tail, cst.ParenthesizedWhitespace) or has_comment):
            # One name per line: keep the trailing comma and the previous name's comment.
            names[i - 1] = prev.with_changes(
                comma=pcomma.with_changes(whitespace_after=_merge_ws(pcomma.whitespace_after, tail)))
            if not isinstance(alias.comma, cst.Comma) and rpar is not None:
                rpar = rpar.with_changes(whitespace_before=cst.SimpleWhitespace(""))
        elif isinstance(alias.comma, cst.Comma):
            names[i - 1] = prev.with_changes(comma=pcomma.with_changes(whitespace_after=tail))
        else:
            names[i - 1] = prev.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        del names[i]
    return node.with_changes(names=names, rpar=rpar, lpar=lpar)


def add_alias(node: cst.ImportFrom, alias: cst.ImportAlias) -> cst.ImportFrom:
    """Append ``alias`` to an existing statement, following its one-line/multi-line style."""
    names = list(node.names)  # type: ignore[arg-type]
    last = names[-1]
    alias = alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    tail = last.comma.whitespace_after if isinstance(last.comma, cst.Comma) else (
        node.rpar.whitespace_before if node.rpar is not None else None)
    if isinstance(tail, cst.ParenthesizedWhitespace):
        lead = names[-2].comma.whitespace_after if len(names) > 1 else node.lpar.whitespace_after  # type: ignore[union-attr]
        if not isinstance(lead, cst.ParenthesizedWhitespace):
            lead = cst.ParenthesizedWhitespace(indent=tail.indent, last_line=tail.last_line)
        first_line = tail.first_line  # keeps the last name's own comment on its line
        before_last = last.comma.whitespace_before if isinstance(last.comma, cst.Comma) \
            else cst.SimpleWhitespace("")
        names[-1] = last.with_changes(comma=cst.Comma(
            whitespace_before=before_last,
            whitespace_after=cst.ParenthesizedWhitespace(
                first_line=first_line, indent=lead.indent, last_line=lead.last_line)))
        closing = cst.ParenthesizedWhitespace(indent=tail.indent, last_line=tail.last_line)
        if isinstance(last.comma, cst.Comma):
            names.append(alias.with_changes(comma=cst.Comma(whitespace_after=closing)))
            return node.with_changes(names=names)
        names.append(alias)
        return node.with_changes(names=names,
                                 rpar=node.rpar.with_changes(whitespace_before=closing))  # type: ignore[union-attr]
    if isinstance(last.comma, cst.Comma):  # `(a, b,)` on one line
        names[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        names.append(alias.with_changes(comma=last.comma))
    else:
        names[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        names.append(alias)
    return node.with_changes(names=names)


def _new_statement(module: str, aliases: list[cst.ImportAlias]) -> cst.ImportFrom:
    cleaned = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
               for a in aliases[:-1]] + [aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    # Plain one-line statement: comments inside the old parentheses stay with the old one.
    cleaned = [a.with_changes(asname=a.asname.with_changes(
        whitespace_before_as=cst.SimpleWhitespace(" "),
        whitespace_after_as=cst.SimpleWhitespace(" "))) if a.asname else a for a in cleaned]
    return cst.ImportFrom(module=dotted_node(module), names=cleaned)


def _is_noqa(comment: str | None) -> bool:
    return bool(comment) and "noqa" in comment.lower()  # type: ignore[union-attr]


def plan_moves(source: str, statement_range, moves: list[Move]) -> tuple[list[TextEdit], str]:
    """Edits that move ``moves`` out of the from-import at ``statement_range``.

    Raises ``StatementError`` with a user-facing reason when it cannot.
    """
    loc = locate(source, statement_range)
    newline = dominant_newline_near(source, loc)
    fast = _plan_simple(source, loc, moves, newline)
    if fast is None:
        fast = _plan_parenthesized(source, loc, moves, newline)
    if fast is not None:
        return fast
    node = parse_small(loc.text, (cst.ImportFrom,))
    assert isinstance(node, cst.ImportFrom)
    current = "." * len(node.relative) + dotted(node.module)

    if isinstance(node.names, cst.ImportStar):
        if len(moves) != 1 or moves[0].name != "*" or moves[0].new_name != "*":
            raise StatementError("a star import can only move as a whole module")
        new = node.with_changes(module=dotted_node(moves[0].module), relative=[])
        return [TextEdit(range_of(source, loc.start, loc.end), code(new))], \
            f"Import `*` from `{moves[0].module}` instead of `{current}`"

    aliases = list(node.names)
    index = {}
    for i, alias in enumerate(aliases):
        index.setdefault(_alias_key(alias), i)
    where: dict[int, Move] = {}
    for move in moves:
        i = index.get((move.name, move.alias))
        if i is None:
            shown = f"{move.name} as {move.alias}" if move.alias else move.name
            raise StatementError(f"`{shown}` is not imported by this statement")
        where[i] = move

    # Renames inside the same module stay in place.
    in_place = {i: m for i, m in where.items() if m.module == current}
    groups: dict[str, list[int]] = {}
    for i, m in where.items():
        if i not in in_place:
            groups.setdefault(m.module, []).append(i)
    for i, m in in_place.items():
        aliases[i] = _new_alias(m, aliases[i])
    node = node.with_changes(names=aliases)

    messages = [_message(m, current) for m in (where[i] for i in sorted(where))]
    message = "; ".join(messages)
    edits: list[TextEdit] = []
    moved_out = {i for idxs in groups.values() for i in idxs}

    # Which destination rewrites the statement in place: when every name leaves, the first.
    keep_node: cst.ImportFrom | None
    in_place_module: str | None = None
    if moved_out and len(moved_out) == len(aliases):
        in_place_module = next(iter(groups))
    # Merge targets (earlier `from b import …` in the same block), file permitting.
    appended: list[str] = []
    for module, idxs in groups.items():
        new_aliases = [_new_alias(where[i], aliases[i]) for i in idxs]
        if module == in_place_module:
            merged = _merge_edit(source, loc, module, new_aliases, whole_statement=True)
            if merged is not None:
                edits.append(merged)
                in_place_module = None  # the statement is deleted below instead
                continue
            continue
        merged = _merge_edit(source, loc, module, new_aliases, whole_statement=False)
        if merged is not None:
            edits.append(merged)
        else:
            appended.append(code(_new_statement(module, new_aliases)))

    if in_place_module is not None:
        idxs = groups[in_place_module]
        keep_node = node.with_changes(
            module=dotted_node(in_place_module), relative=[],
            names=[_new_alias(where[i], aliases[i]) if i in idxs else a
                   for i, a in enumerate(aliases)])
        keep_node = drop_aliases(keep_node, moved_out - set(idxs)) if moved_out - set(idxs) \
            else keep_node
    elif moved_out and len(moved_out) == len(aliases):
        keep_node = None  # everything merged elsewhere: delete the statement
    else:
        keep_node = drop_aliases(node, moved_out) if moved_out else node

    edits = [e for e in edits if e.content or e.range.start != e.range.end]
    if keep_node is None and not appended:
        edits.append(_deletion(source, loc))
        return edits, message
    if keep_node is None:
        head, appended = appended[0], appended[1:]
    else:
        head = code(keep_node)
    edits.append(_place(source, loc, head, appended, newline))
    return edits, message


def _place(source: str, loc: Located, head: str, appended: list[str], newline: str) -> TextEdit:
    """Replace the statement with ``head``, the new statements after it."""
    start, end = loc.start, loc.end
    comment = loc.trailing_comment
    if appended and loc.starts_line and comment:
        # The trailing comment stays with the original statement; a `# noqa` is copied to the
        # new ones too (it usually silences a linter about the whole import).
        end += len(loc.suffix)
        head += loc.suffix
        sep = "\n" + loc.indent
        extra = ("  " + comment) if _is_noqa(comment) else ""
        text = head + "".join(sep + a + extra for a in appended)
    elif appended and loc.starts_line:
        text = head + "".join("\n" + loc.indent + a for a in appended)
    else:
        text = head + "".join("; " + a for a in appended)
    return TextEdit(range_of(source, start, end), reindent(text, newline))


_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_ALIAS = rf"{_ID}(?: as {_ID})?"
_ALIASES = rf"{_ALIAS}(?:, {_ALIAS})*"
_SIMPLE = re.compile(rf"from (\.*(?:{_ID}(?:\.{_ID})*)?) import (?:({_ALIASES})|\(({_ALIASES})(,?)\))\Z")


def _simple_statement(text: str) -> tuple[str, list[tuple[str, str | None]], str, str] | None:
    """(module as written, [(name, alias)], opening, closing) of ``from a.b import X, Y as Z``
    on one line, formatted the usual way (single spaces, no comments inside), bare or in
    parentheses (``opening`` "(", ``closing`` ")" or ",)" with a trailing comma: a one-line
    parenthesised list is three quarters of the real tree's from-import fixes that took the
    libcst path); None for anything else, which only libcst may judge."""
    m = _SIMPLE.match(text)
    if m is None:
        return None
    current = m.group(1)
    if not current:
        return None
    bare = m.group(2)
    opening, closing = ("", "") if bare is not None else ("(", m.group(4) + ")")
    aliases: list[tuple[str, str | None]] = []
    for part in (bare if bare is not None else m.group(3)).split(", "):
        name, _, asname = part.partition(" as ")
        aliases.append((name, asname or None))
    words = [w for a in aliases for w in a if w] + [w for w in current.split(".") if w]
    if any(keyword.iskeyword(w) for w in words):
        return None  # not a valid statement: let libcst say why
    return current, aliases, opening, closing


def _simple_moves(aliases: list[tuple[str, str | None]],
                  moves: list[Move]) -> dict[int, Move] | None:
    """Which alias each move takes out of a simple statement; None when one is not there."""
    index: dict[tuple[str, str | None], int] = {}
    for i, key in enumerate(aliases):
        index.setdefault(key, i)
    where: dict[int, Move] = {}
    for move in moves:
        i = index.get((move.name, move.alias))
        if i is None:
            return None
        where[i] = move
    return where


def can_move(source: str, statement_range, moves: list[Move]) -> bool:
    """Exactly whether ``plan_moves`` returns edits rather than raising ``StatementError``,
    without writing them: ``check`` needs only this for its ``[*]`` marks and fix counts, and
    planning every edit cost it 29% of a cold run (``benchmarks/results/check_profile.txt``).
    It follows ``plan_moves`` step by step up to the point where no refusal can follow (the
    statement located and parsed, every moving name found in it); what comes after (merging,
    splitting, writing the code) never refuses. ``tests/unit/fixes/test_can_fix.py`` holds
    the two to the same answer."""
    try:
        loc = locate(source, statement_range)
    except StatementError:
        return False
    simple = _simple_statement(loc.text)
    if simple is not None and _simple_moves(simple[1], moves) is not None:
        return True  # (``_plan_simple``, or the libcst path on the same valid statement)
    try:
        node = parse_small(loc.text, (cst.ImportFrom,))
        assert isinstance(node, cst.ImportFrom)
        dotted(node.module)
        if isinstance(node.names, cst.ImportStar):
            return len(moves) == 1 and moves[0].name == "*" and moves[0].new_name == "*"
        have = {_alias_key(alias) for alias in node.names}
    except StatementError:
        return False
    return all((move.name, move.alias) in have for move in moves)


def _plan_simple(source: str, loc: Located, moves: list[Move],
                 newline: str) -> tuple[list[TextEdit], str] | None:
    """The common case without libcst: a simple statement (``_simple_statement``) with
    nothing to merge into. Anything else (or any doubt) returns None and takes the libcst
    path."""
    simple = _simple_statement(loc.text)
    if simple is None:
        return None
    current, aliases, opening, closing = simple
    where = _simple_moves(aliases, moves)
    if where is None:
        return None
    if any(scope.may_have_earlier_from_import(source, loc.start, mv.module)
           for mv in where.values() if mv.module != current):
        return None  # a merge may apply: the libcst path handles it

    rendered = [_render(*a) for a in aliases]
    groups: dict[str, list[int]] = {}
    for i, mv in where.items():
        new = _render(mv.new_name, binding_alias(mv.name, mv.alias, mv.new_name))
        if mv.module == current:
            rendered[i] = new
        else:
            groups.setdefault(mv.module, []).append(i)
            rendered[i] = new
    moved_out = {i for idxs in groups.values() for i in idxs}
    kept = [r for i, r in enumerate(rendered) if i not in moved_out]
    statements = [f"from {mod} import {', '.join(rendered[i] for i in idxs)}"
                  for mod, idxs in groups.items()]
    if kept:
        head = f"from {current} import {opening}{', '.join(kept)}{closing}"
    elif opening:
        # The first destination takes the statement over, its parentheses (and the names'
        # order in it) kept, as libcst's rewrite of the statement in place keeps them.
        statements.pop(0)
        module, idxs = next(iter(groups.items()))
        head = f"from {module} import ({', '.join(rendered[i] for i in sorted(idxs))}{closing}"
    else:
        head = statements.pop(0)
    message = "; ".join(_message(where[i], current) for i in sorted(where))
    return [_place(source, loc, head, statements, newline)], message


# ``from a.b import (`` … ``)``: how black writes an import too long for one line.
_PAREN_HEAD = re.compile(rf"from (\.*{_ID}(?:\.{_ID})*) import \(")
_NAME = re.compile(_ID)
_COMMENT = re.compile(r"#[^\r\n]*")


def _plan_parenthesized(source: str, loc: Located, moves: list[Move],
                        newline: str) -> tuple[list[TextEdit], str] | None:
    """A parenthesised statement whose names all move, none renamed, to one module, with
    nothing to merge into: only the module changes, so the edit is the statement as written
    with its module replaced, which is what the libcst path writes (layout, comments, aliases
    and trailing comma kept; tests/unit/fixes/test_move_fast_paths.py compares the two). A
    quarter of the real tree's from-import fixes have this shape (black's layout). Anything
    else returns None."""
    text = loc.text
    head = _PAREN_HEAD.match(text)
    if head is None or not text.endswith(")") or "\\" in text:
        return None
    inner = _COMMENT.sub("", text[head.end():-1])
    if "(" in inner or ")" in inner:
        return None
    parts = inner.split(",")
    if len(parts) > 1 and not parts[-1].strip():
        parts.pop()  # the trailing comma
    aliases: list[tuple[str, str | None]] = []
    for part in parts:
        words = part.split()
        if len(words) == 1:
            aliases.append((words[0], None))
        elif len(words) == 3 and words[1] == "as":
            aliases.append((words[0], words[2]))
        else:
            return None
    current = head.group(1)
    words = [w for a in aliases for w in a if w] + [w for w in current.split(".") if w]
    if not all(_NAME.fullmatch(w) and not keyword.iskeyword(w) for w in words):
        return None  # (an invalid statement: libcst says why)
    where = _simple_moves(aliases, moves)
    if where is None or any(
            mv.module == current or scope.may_have_earlier_from_import(source, loc.start, mv.module)
            for mv in where.values()):
        return None  # (a rename in place, or a merge that may apply)
    message = "; ".join(_message(where[i], current) for i in sorted(where))
    modules = {mv.module for mv in where.values()}
    if len(where) == len(aliases) and len(modules) == 1 \
            and all(mv.new_name == mv.name for mv in where.values()):
        (module,) = modules
        return [_place(source, loc, f"from {module}{text[head.end(1):]}", [], newline)], message
    if len(where) == len(aliases):
        return None
    # Some names leave a statement in black's layout (a name and its comma per line, the
    # ``)`` alone): their lines go, and a plain statement per destination follows it.
    lines = split_lines(text)
    indent = lines[-1][:-1]
    if len(lines) != len(aliases) + 2 or lines[-1] != f"{indent})" or any(
            line != f"{indent}    {_render(*alias)}," for line, alias in zip(lines[1:], aliases)):
        return None
    breaks = LINE_BREAK.findall(text)
    if len(set(breaks)) != 1:
        return None
    groups: dict[str, list[int]] = {}
    for i, mv in where.items():
        groups.setdefault(mv.module, []).append(i)
    statements = [f"from {mod} import " + ", ".join(
        _render(where[i].new_name, binding_alias(where[i].name, where[i].alias, where[i].new_name))
        for i in idxs) for mod, idxs in groups.items()]
    kept = [lines[0]] + [line for i, line in enumerate(lines[1:-1]) if i not in where] + lines[-1:]
    return [_place(source, loc, breaks[0].join(kept), statements, newline)], message


def _render(name: str, alias: str | None) -> str:
    return f"{name} as {alias}" if alias else name


def _message(m: Move, current: str) -> str:
    if m.new_name != m.name:
        return f"Import `{m.new_name}` from `{m.module}` as `{m.alias or m.name}` " \
               f"instead of `{m.name}` from `{current}`"
    return f"Import `{m.name}` from `{m.module}` instead of `{current}`"


def _deletion(source: str, loc: Located) -> TextEdit:
    """Delete a whole statement that stands alone on its line(s)."""
    end = loc.end + len(loc.suffix) + len(loc.newline)
    return TextEdit(range_of(source, loc.line_start, end), "")


def _merge_edit(source: str, loc: Located, module: str, new_aliases: list[cst.ImportAlias],
                *, whole_statement: bool) -> TextEdit | None:
    """Add ``new_aliases`` to an earlier ``from module import …`` in the same block, or None.

    With ``whole_statement`` every name of the statement leaves, so the statement must be
    deletable: alone on its lines, no trailing comment (it would be lost).
    """
    if whole_statement and (not loc.starts_line or loc.suffix.strip()):
        return None
    stmt = scope.earlier_from_import(source, loc.start, module)
    if stmt is None:
        return None
    start, end = scope.start_offset(source, stmt), scope.end_offset(source, stmt)
    try:
        target = parse_small(source[start:end], (cst.ImportFrom,))
    except StatementError:
        return None
    assert isinstance(target, cst.ImportFrom)
    if isinstance(target.names, cst.ImportStar):
        return None
    have = {_alias_key(a) for a in target.names}
    bound_have = {(asn or name) for name, asn in have}
    updated = target
    for alias in new_aliases:
        key = _alias_key(alias)
        if key in have:
            continue  # already imported exactly so
        if (key[1] or key[0]) in bound_have:
            return None  # the same binding from another name: leave both visible
        updated = add_alias(updated, alias)
    if updated is target:
        return TextEdit(range_of(source, start, start), "")  # nothing to add (noop edit)
    # libcst writes the line breaks it adds (and those of a parenthesised list) as "\n".
    newline = dominant_newline_near(source, locate(source, range_of(source, start, end)))
    return TextEdit(range_of(source, start, end), reindent(code(updated), newline))
