"""Words that tell the passes of the extractor how a number is used, where more than one pass listens to them.

A result verb ("achieves", "reaches") puts a number in a result position; a comparison ("outperforming", "than")
makes the numbers after it someone else's; a right stop ends the stretch of text that can still be about a number.
Cue words that only one pass reads are kept beside that pass.
"""
from __future__ import annotations

import re

RESULT_VERB = re.compile(
    r"^(?:achiev\w*|obtain\w*|reach\w*|attain\w*|gets?|got|getting|scor\w+|yield\w*|sets?|setting|establish\w*|"
    r"report\w*|record\w*|deliver\w*|hits?|produc\w+|gives?|giving|perform\w*|boost\w*|push\w*|improv\w*|"
    r"rais\w*|increas\w*|reduc\w*|lower\w*|decreas\w*)$")
COMPARISON = re.compile(
    r"^(?:outperform\w*|surpass\w*|beat\w*|exceed\w*|than|compared|comparing|comparison|versus|vs|"
    r"previous\w*|prior|existing|baselines?|counterparts?|winners?|human|human-level|unlike|whereas|competing)$")
# Where the text stops being about a number on its right: what follows is about something else.
RIGHT_STOP = re.compile(
    r"^(?:outperform\w*|surpass\w*|beat\w*|exceed\w*|than|compared|comparing|versus|vs|match|matches|matching|"
    r"while|whereas|unlike)$")
