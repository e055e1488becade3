"""Run LinkChecker exactly as its command does, but without its switch to the user 'nobody' when run as root.

LinkChecker drops root privileges to 'nobody' before it starts. A newcomer who clones the repository as
root into a private folder (a home directory, any 0700 folder) would then have a checker that cannot read
its own plugins or the site it checks, and checks nothing. The files it reads here are the project's own
build, on this machine: running as the user who built them is what we want.
"""

import sys

from linkcheck.command import linkchecker as command

command.drop_privileges = lambda: None

if __name__ == "__main__":
    sys.exit(command.linkchecker())
