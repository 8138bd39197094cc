"""The one shape of every refusal under /api/ (portal.api turns each kind of failure into it),
and how an operation declares the refusals that are its own.

Refusals that follow from an operation's shape (401 for a token, 422 for parameters, 400/413
for a body, 404 for a path that names an object) are added to every such operation's
description by portal.api; an endpoint declares only the others, such as 403 for admins-only
or 409 for a state it cannot act in: ``response={200: Out, **refused(403, 409)}``.
"""

from __future__ import annotations

from ninja import Field, Schema


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(description="Where: the source (body, query, path) and names")
    field: str = Field(description="The field's dotted name; empty for the whole body")
    msg: str
    type: str


class ErrorOut(Schema):
    detail: str = Field(description="A sentence a person can act on")
    errors: list[FieldErrorOut] = Field(
        default_factory=list, description="For refused input: each field at fault"
    )


def refused(*codes: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(codes, ErrorOut)
