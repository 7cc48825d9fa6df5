"""The HTTP front door: the JSON API, the worklist web page, and the process that serves them.

The actor of every action is the person of the caller's token (runtime/tokens.py), never
what a request says; the workflows' validators still decide whether that person may act now.
"""
