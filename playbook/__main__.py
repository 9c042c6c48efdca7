from playbook.runner.cli import main

raise SystemExit(main())
