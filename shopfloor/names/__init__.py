"""Names per language: the manager gives an operation or a defect its name in each floor language."""
