from __future__ import annotations

import pytest
from sklearn.base import BaseEstimator

from pai_algos import all_estimators
from pai_algos.registry import TASKS, estimator_task


def test_finds_the_first_estimators():
    names = dict(all_estimators())
    for expected in ("LogisticRegression", "KMeans", "StandardScaler", "GaussianNB"):
        assert expected in names
    assert all(issubclass(cls, BaseEstimator) for cls in names.values())


def test_sorted_and_unique():
    names = [n for n, _ in all_estimators()]
    assert names == sorted(set(names))


@pytest.mark.parametrize(
    "family, name", [("linear_model", "LogisticRegression"), ("cluster", "KMeans")]
)
def test_family_filter(family, name):
    found = all_estimators(family=family)
    assert name in dict(found)
    assert all(cls.__module__.startswith(f"pai_algos.{family}.") for _, cls in found)


def test_task_filter():
    for task in TASKS:
        for _, cls in all_estimators(task=task):
            assert estimator_task(cls) == task
    assert "GaussianNB" in dict(all_estimators(task="classifier"))
    assert "StandardScaler" in dict(all_estimators(task="transformer"))
    assert "KMeans" in dict(all_estimators(task="cluster"))


def test_bad_filters():
    with pytest.raises(ValueError, match="Unknown family 'nope'"):
        all_estimators(family="nope")
    with pytest.raises(ValueError, match="task must be one of"):
        all_estimators(task="ranker")


def test_infrastructure_packages_are_not_families():
    families = {cls.__module__.split(".")[1] for _, cls in all_estimators()}
    assert "datasets" not in families and "utils" not in families
