project = "deepsubspace"
author = "deepsubspace developers"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc", "sphinx_gallery.gen_gallery"]
autosummary_generate = True
numpydoc_show_class_members = False
html_theme = "alabaster"
exclude_patterns = ["_build"]
# inherited scikit-learn docstrings (fit_predict, set_params) link to its glossary, absent here
suppress_warnings = ["ref.term"]

# The gallery runs every examples/gallery/plot_*.py during the build (a few minutes on one
# CPU thread); ``-D plot_gallery=0`` builds the pages without running them.
sphinx_gallery_conf = {
    "examples_dirs": "../examples/gallery",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "abort_on_example_error": True,
}
