from tests.conftest import write


def test_sample_tree_is_clean(cli, records_root):
    result = cli(["--root", records_root, "validate"])
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output
