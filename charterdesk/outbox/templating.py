"""Answer templates: Django's template language, restricted.

Administrators write templates in the admin; the texts reach clients.  So a template may use only
the variables listed in :data:`VARIABLES` (plain strings, no objects, so nothing can reach an
attribute of a model), the tags ``if``/``elif``/``else``, ``firstof`` and ``comment``, and a few
text filters.  The engine has no template loaders and no tag libraries (no ``include``, ``extends``
or ``load``), renders with autoescaping off (the text is plain text; HTML is made from it by
escaping), and a template is checked when it is saved: an unknown variable, tag or filter, or a
syntax error, is refused with a message naming it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Node, TextNode, Variable, VariableNode
from django.template.defaulttags import CommentNode, FirstOfNode, IfNode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

VARIABLES: dict[str, Any] = {
    "client_name": gettext_lazy("the client's name"),
    "client_vocative": gettext_lazy(
        "the client's name as a greeting addresses it (Latvian vocative: “Labdien, Jāni Ozol!”)"
    ),
    "case_reference": gettext_lazy("the case reference, e.g. ALT-2026-000123"),
    "case_subject": gettext_lazy("the subject of the case"),
    "programme_name": gettext_lazy("the programme's name (empty if none)"),
    "institution_name": gettext_lazy("the institution's name"),
    "employee_name": gettext_lazy("the employee's first name and surname (empty for the system)"),
    "expected_answer_by": gettext_lazy(
        "when the answer can be expected, e.g. 26 November 2026 at 10:00"
    ),
    "received_at": gettext_lazy("when the client's message arrived"),
    "reason": gettext_lazy("the reason for the delay (delay explanations)"),
}

ALLOWED_NODES: tuple[type[Node], ...] = (TextNode, VariableNode, IfNode, FirstOfNode, CommentNode)
ALLOWED_FILTERS = frozenset(
    {
        "default",
        "default_if_none",
        "upper",
        "lower",
        "capfirst",
        "title",
        "truncatechars",
        "truncatewords",
        "wordwrap",
        "cut",
        "yesno",
        "length",
        "pluralize",
    }
)

ENGINE = Engine(loaders=[], libraries={}, autoescape=False, string_if_invalid="")


class TemplateSourceError(ValueError):
    """A template that may not be saved; the message says what and where."""


def variables_help() -> str:
    return "; ".join(f"{{{{ {name} }}}} — {text}" for name, text in VARIABLES.items())


def _expressions_of_condition(condition: Any) -> Iterator[FilterExpression]:
    value = getattr(condition, "value", None)
    if isinstance(value, FilterExpression):
        yield value
    for side in ("first", "second"):
        child = getattr(condition, side, None)
        if child is not None:
            yield from _expressions_of_condition(child)


def _expressions(node: Node) -> Iterator[FilterExpression]:
    if isinstance(node, VariableNode):
        yield node.filter_expression
    elif isinstance(node, IfNode):
        for condition, _nodelist in node.conditions_nodelists:
            if condition is not None:
                yield from _expressions_of_condition(condition)
    elif isinstance(node, FirstOfNode):
        yield from node.vars


def _check_expression(expression: FilterExpression, where: str) -> None:
    variables: list[Variable] = []
    if isinstance(expression.var, Variable):
        variables.append(expression.var)
    for func, args in expression.filters:
        name = getattr(func, "_filter_name", None) or func.__name__
        if name not in ALLOWED_FILTERS:
            raise TemplateSourceError(
                _(
                    "The filter “%(name)s” in %(where)s is not allowed; allowed filters: %(allowed)s."
                )
                % {"name": name, "where": where, "allowed": ", ".join(sorted(ALLOWED_FILTERS))}
            )
        variables.extend(arg for is_lookup, arg in args if is_lookup and isinstance(arg, Variable))
    for variable in variables:
        if variable.lookups is None:  # a literal
            continue
        root = variable.lookups[0]
        if root not in VARIABLES:
            raise TemplateSourceError(
                _(
                    "Unknown variable {{ %(name)s }} in %(where)s. Variables you can use: %(allowed)s."
                )
                % {"name": variable.var, "where": where, "allowed": ", ".join(VARIABLES)}
            )
        if len(variable.lookups) > 1:
            raise TemplateSourceError(
                _(
                    "{{ %(name)s }} in %(where)s: variables are plain text and have no parts; "
                    "write {{ %(root)s }}."
                )
                % {"name": variable.var, "where": where, "root": root}
            )


def compile_template(source: str) -> Template:
    """Parse and check ``source``; raise :class:`TemplateSourceError` saying what is wrong."""
    try:
        template = ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateSourceError(_("The template has a syntax error: %s") % exc) from None
    for node in template.nodelist.get_nodes_by_type(Node):
        token = getattr(node, "token", None)
        where = (
            _("“%(tag)s” (line %(line)s)") % {"tag": token.contents, "line": token.lineno}
            if token is not None
            else _("the template")
        )
        if not isinstance(node, ALLOWED_NODES):
            raise TemplateSourceError(
                _(
                    "The tag %(where)s is not allowed in a message template; use only "
                    "{%% if %%}, {%% firstof %%} and {%% comment %%}."
                )
                % {"where": where}
            )
        for expression in _expressions(node):
            _check_expression(expression, where)
    return template


def check_template_source(source: str) -> None:
    compile_template(source)


def render_template_text(source: str, context: Mapping[str, str | None]) -> str:
    """Render a checked template with plain-string values; unknown names are refused, missing
    ones render empty.  The result is plain text with its outer blank lines removed."""
    unknown = sorted(set(context) - set(VARIABLES))
    if unknown:
        raise TemplateSourceError(_("Unknown template variables: %s") % ", ".join(unknown))
    values: dict[str, str] = {}
    for name, value in context.items():
        if value is not None and not isinstance(value, str):
            raise TypeError(
                f"template variable {name} must be a string, not {type(value).__name__}"
            )
        values[name] = value or ""
    template = compile_template(source)
    return template.render(Context(values, autoescape=False)).strip()
