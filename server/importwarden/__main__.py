from importwarden.cli import main

raise SystemExit(main())
