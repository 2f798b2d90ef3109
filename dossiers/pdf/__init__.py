"""PDF forms 01-06 of Circular 01/2018/TT-VPCP."""

from .forms import RENDERERS, TITLES, lookup_url, render_form_01  # noqa: F401
from .ledger import render_form_06  # noqa: F401
