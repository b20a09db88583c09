"""Option types shared by commands."""

import re

import click

from broadcast.i18n import t

_UNITS = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


class Size(click.ParamType):
    """A size like 64M, 1.5G, 4000MB or a plain number of bytes (binary units: a "1G" stick)."""

    name = "size"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        match = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*([KMGT]?)(?:I?B)?\s*", str(value), re.IGNORECASE)
        if not match:
            self.fail(t("cli.bad_size", value=value), param, ctx)
        number = float(match.group(1).replace(",", "."))
        return int(number * _UNITS[match.group(2).upper()])


def store_options(func):
    """--endpoint-url, --region, --profile, --addressing: how to reach an S3-compatible store.
    Credentials come from the standard AWS chain (environment, ~/.aws, --profile), never from us."""
    for option in reversed([
        click.option("--endpoint-url", help=t("cli.cloud.endpoint_help")),
        click.option("--region", help=t("cli.cloud.region_help")),
        click.option("--profile", help=t("cli.cloud.profile_help")),
        click.option("--addressing", type=click.Choice(["auto", "path", "virtual"]), default="auto",
                     help=t("cli.cloud.addressing_help")),
    ]):
        func = option(func)
    return func


def store_kwargs(endpoint_url, region, profile, addressing) -> dict:
    return {"endpoint_url": endpoint_url, "region": region, "profile": profile, "addressing": addressing}
