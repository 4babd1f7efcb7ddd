"""The project page's sections, each laid out by one module: the header (`header`), the
logframe tree and the results chain (`logframe`), one indicator in detail (`indicator`) and the
IPTT with its exports (`iptt`). The page script `rbm/ui/pages/project.py` picks the project
and places them."""
