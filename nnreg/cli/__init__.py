"""Command line: ``python -m nnreg reproduce | compare | datasets | make-football | sweep | bench``
(and the ``nnreg`` command), one module per family of commands: ``compare`` (reproduce, compare),
``datasets`` (datasets, make-football), ``sweep`` and ``bench``; ``arguments`` reads what
several take.

Bad input of any kind ends with exit code 2 and one line on stderr, never a traceback; Ctrl-C
with one line and exit code 130; a reader that closes the pipe early (``| head``) quietly.
Numbers and hidden layers are read, and limited, by ``nnreg.limits``, as on the page.
"""

import os
import sys

from . import bench, compare, datasets, sweep
from .arguments import Parser, UsageError

EXIT_BAD_INPUT = 2
# What shells report for a program ended by SIGINT (128 + 2) and by SIGPIPE (128 + 13).
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141


def build_parser() -> Parser:
    parser = Parser(prog="nnreg", description="What regularization does to a small neural network.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for family in (compare, datasets, sweep, bench):
        family.register(commands)
    return parser


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        code = args.run(args) or 0
        sys.stdout.flush()
    except KeyboardInterrupt:
        # train_many has already stopped its models by the time this arrives.
        print("\nnnreg: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader has what it wanted; Python would otherwise complain again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except (UsageError, ValueError, OSError) as error:
        # DatasetError and Settings' validation errors are ValueErrors with a complete message.
        print(f"nnreg: error: {error}" if not isinstance(error, UsageError) else f"{error}",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    return code
