from cxctl.cli.main import run

run()
