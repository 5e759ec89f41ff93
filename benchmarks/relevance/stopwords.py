#!/usr/bin/env python3
"""Filters `qid<TAB>query` topics on stdin, dropping common English function words (and the
question words Cranfield queries start with), to measure what stop words cost a ranking that
does not remove them itself. The list is our own short one, not a published stop list."""
import sys

STOP = set("""
a an the and or but if then than so as of at by for from in into on onto to with within without
about above after again against all any are be been being before below between both can could
did do does doing down during each few further had has have having he her here hers him his how
i is it its itself just me more most my no nor not now off once only other our out over own same
she should some such that their them there these they this those through too under until up very
was we were what when where which while who whom why will would you your must been also may
""".split())

for line in sys.stdin:
    qid, _, text = line.rstrip("\n").partition("\t")
    words = [w for w in text.split() if w.lower().strip(".,?;:()") not in STOP]
    print(f"{qid}\t{' '.join(words)}")
