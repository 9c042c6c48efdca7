from playbook.samples.companies import main

raise SystemExit(main())
