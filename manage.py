#!/usr/bin/env python
from charterdesk.cli import main

if __name__ == "__main__":
    main()
