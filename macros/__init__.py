"""The build of the mentoring curriculum site: data, renderers, pages, downloads and the pipeline.

``python -m macros build`` (``make build``) runs the three stages of :mod:`macros.pipeline`:
prepare (validate and render every page to Markdown), engine (MkDocs, ProperDocs or Zensical) and
finish (downloads, open data, print books, offline copy). Pages call macros with the mkdocs-macros
syntax, ``{{ cite("key") }}``; :mod:`macros.pages` renders them.
"""
