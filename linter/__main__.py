from pullcheck.cli import main

raise SystemExit(main())
