from carerules.cli import main

main()
