"""`{% load charts %}{% chart chart %}`: a `casework.charts.Chart` as inline SVG with its
figures in a table (`casework/_chart.html`)."""

from django import template

register = template.Library()


@register.inclusion_tag("casework/_chart.html")
def chart(chart):
    return {"chart": chart}
