import sys

from bot.cli import main
from bot.quiet import silence_third_party_warnings

if "--verbose" not in sys.argv:
    silence_third_party_warnings()
sys.exit(main())
