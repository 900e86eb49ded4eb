pytest_plugins = ["bulkio.sandbox.pytest_plugin"]
