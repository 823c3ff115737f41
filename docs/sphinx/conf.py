# Sphinx configuration of the collection's docs site (make docs), as antsibull-docs sphinx-init
# writes it (antsibull-docs 2.28), but offline: no intersphinx inventories are fetched, and the
# labels of Ansible's own docs that the generated pages link to are left as plain text.

project = 'crashdump.kdump'
copyright = 'crashdump.kdump contributors'
title = 'crashdump.kdump'
html_short_title = 'crashdump.kdump'

extensions = ['sphinx.ext.autodoc', 'sphinx.ext.intersphinx', 'sphinx_antsibull_ext']

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

# Offline: nothing to fetch (make check runs without docs.ansible.com).
intersphinx_mapping = {}

default_role = 'any'

# Every reference must resolve (sphinx-build -W), except the pages of Ansible's own docs and of
# ansible.builtin that antsibull-docs links to: without their inventories they stay plain text.
nitpicky = True
nitpick_ignore = [
    ('ref', 'common_return_values'),
    ('ref', 'ansible_configuration_settings'),
]
nitpick_ignore_regex = [
    ('ref', r'ansible_collections\.ansible\.builtin\..*'),
]
