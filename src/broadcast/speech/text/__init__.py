"""The rules of text preparation, one module per kind of text: text typed in capitals, words and
abbreviations, numbers, dates and times, document numbers and Roman numerals, and the Vietnamese
number words they share.

In: a message's text. Out: the same text with every span a synthesizer would misread written out
in words. ``speech.textprep`` composes these rules in order.
"""
