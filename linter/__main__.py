from pullcheck.cli import run

run()
