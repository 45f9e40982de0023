project = "deepsubspace"
author = "deepsubspace developers"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc"]
autosummary_generate = True
numpydoc_show_class_members = False
html_theme = "alabaster"
exclude_patterns = ["_build"]
# inherited scikit-learn docstrings (fit_predict, set_params) link to its glossary, absent here
suppress_warnings = ["ref.term"]
