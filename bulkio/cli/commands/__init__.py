"""bulkio's commands, each a thin shell over one library call: options in, the call, what it
says out. The group (cli.group) registers COMMANDS; click lists them by name."""

from bulkio.cli.commands.catalogue import fields, template
from bulkio.cli.commands.export import export_command
from bulkio.cli.commands.records import import_command, validate
from bulkio.cli.commands.sandbox import demo, sandbox

COMMANDS = (fields, template, export_command, import_command, validate, sandbox, demo)
