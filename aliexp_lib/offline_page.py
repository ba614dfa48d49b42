"""An executed notebook as one HTML page that needs nothing from the network.

nbconvert's "lab" page loads require.js, MathJax and mermaid from a CDN, and plotly's notebook
renderer adds a MathJax script from a CDN to every chart: opened without a network the page waited
on them, and opened with one it fetched code from a third party. Here the page is made with the
template ``templates/nbconvert/aliexp_offline`` (the lab page without those scripts), each chart
(plotly's JSON output, ``application/vnd.plotly.v1+json``) is drawn by a small script of its own,
and plotly.js itself is inlined once, in the page's head. Links in the page's tables (an order's page
on AliExpress) stay links: they load nothing until followed.
"""

from __future__ import annotations

import copy
import functools
import re
from importlib import resources

#: The output of a plotly figure in a notebook (plotly's ``plotly_mimetype`` renderer).
PLOTLY_JSON = "application/vnd.plotly.v1+json"
#: The opening tag of an output area, as nbconvert's lab template writes it (user text inside is escaped).
_OUTPUT_AREA = re.compile(r'<div class="[^"<>]*\bjp-OutputArea-output\b[^"<>]*"')
#: A numeric character reference (decimal).
_NON_ASCII_REF = re.compile(r"&#([0-9]{3,7});")
#: The nbconvert template (a folder of ``templates/nbconvert``) without scripts from a CDN.
TEMPLATE = "aliexp_offline"


def offline_html(notebook, lang: str = "en") -> str:
    """The notebook's outputs (no code, no prompts) as one HTML page with no script or style from the network.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        An executed notebook; its charts as plotly's JSON output. It is not changed.
    lang : str, default "en"
        The page's language (``<html lang>``: what a screen reader speaks it as, what a browser offers
        to translate from).

    Returns
    -------
    str
        The page: plotly.js inlined once in its head when the notebook holds a chart.

    Examples
    --------
    >>> import nbformat
    >>> import plotly.graph_objects as go
    >>> cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
    ...     "display_data", {PLOTLY_JSON: go.Figure(go.Bar(y=[1, 2])).to_plotly_json()})])
    >>> page = offline_html(nbformat.v4.new_notebook(cells=[cell]))
    >>> page.count("Plotly.newPlot"), 'src="http' in page, '<html lang="en">' in page
    (1, False, True)
    >>> '<html lang="ru">' in offline_html(nbformat.v4.new_notebook(), "ru")
    True
    """
    notebook = copy.deepcopy(notebook)
    charts = _charts_as_html(notebook)
    page, _resources = _exporter().from_notebook_node(notebook, {"language_code": lang})
    if charts:
        page = page.replace("</head>", f'<script type="text/javascript">{_plotlyjs()}</script>\n</head>', 1)
    return page


def warm_up() -> None:
    """Load what ``offline_html`` needs (nbconvert, its templates, plotly.js) ahead of time, e.g. in a thread
    while a notebook runs; ``offline_html`` then starts at once.

    Examples
    --------
    >>> warm_up()
    """
    import nbformat
    import plotly.io  # noqa: F401  # the charts' HTML

    offline_html(nbformat.v4.new_notebook())  # the exporter and its compiled templates, kept
    _plotlyjs()


@functools.cache
def _exporter():
    """nbconvert's exporter with our template, made once per process (its templates compiled on first use)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        """nbconvert's HTML exporter without its last pass: re-reading the whole page with BeautifulSoup to
        add image alt texts (the report has no images) and ``tabindex`` (added here to the same output
        areas by their class). That pass took a minute for a page of 10,000 orders."""

        def _init_resources(self, resources):
            lang = (resources or {}).get("language_code")  # nbconvert would put its own ("en") over ours
            resources = super()._init_resources(resources)
            if lang:
                resources["language_code"] = lang
            return resources

        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(parent=self)))
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
            )
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            page = _NON_ASCII_REF.sub(_as_character, page)  # the page's own UTF-8, as nbconvert's last pass gave
            return _OUTPUT_AREA.sub(r'\g<0> tabindex="0"', page), resources

    folder = resources.files("aliexp_lib").joinpath("templates", "nbconvert")
    with resources.as_file(folder) as templates:  # a folder of the installed package: it stays
        return PageExporter(
            template_name=TEMPLATE,
            extra_template_basedirs=[str(templates)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )


def _as_character(ref: re.Match) -> str:
    """The character of a reference beyond ASCII (none has a meaning in HTML: those are ASCII), else the reference."""
    code = int(ref[1])
    return chr(code) if 128 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else ref[0]


@functools.cache
def _plotlyjs() -> str:
    """plotly.js (about 4.6 MB of text), read once per process."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _charts_as_html(notebook) -> int:
    """Replace each plotly JSON output of ``notebook`` by the HTML that draws it with the page's plotly.js
    (no plotly.js and no MathJax of its own); return how many there were."""
    import plotly.io as pio

    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            figure = output.get("data", {}).get(PLOTLY_JSON)
            if figure is None:
                continue
            html = pio.to_html(
                figure,
                include_plotlyjs=False,
                include_mathjax=False,
                full_html=False,
                default_width="100%",
                default_height=525,
                validate=False,
                config={"displaylogo": False},
            )
            output["data"] = {"text/html": html}
            count += 1
    return count
