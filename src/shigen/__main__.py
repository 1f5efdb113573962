from shigen.cli import main

main()
