"""Training scripts: libcst analysis of EC2-style training code -> facts and SageMaker readiness findings.

``analysis.analyse`` reads one script (never runs it) into ``facts.TrainingScript``;
``check.check_training_scripts`` turns the facts into findings; ``migrate.targets.sagemaker`` reads the same facts.
"""
