from childfirst.cli import main

raise SystemExit(main())
