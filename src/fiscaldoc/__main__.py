from fiscaldoc.cli import main

main()
