"""Loaders of the small real datasets bundled with pai_algos.

The files are ``<name>.parquet`` (feature columns and a ``target`` column) and ``<name>.json``
(description, names, source, licence, citation), written by ``scripts/make_datasets.py`` from
the copies scikit-learn ships. The loaders return what scikit-learn's loaders of the same name
return: a :class:`~sklearn.utils.Bunch`, or ``(X, y)``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

__all__ = [
    "DATASETS",
    "data_dir",
    "load_breast_cancer",
    "load_diabetes",
    "load_iris",
    "load_wine",
]

# The bundled datasets; each has <name>.parquet and <name>.json in data_dir().
DATASETS = ("iris", "wine", "breast_cancer", "diabetes")

# Inside an installed wheel: pyproject's hatch force-include maps the repository's datasets/
# folder here.
_WHEEL_DIR = Path(__file__).resolve().parent / "_data"
# In a source checkout (editable install): <repo>/datasets.
_CHECKOUT_DIR = Path(__file__).resolve().parents[2] / "datasets"


def _has_our_files(path: Path) -> bool:
    # A bare "datasets" folder next to site-packages could be another package's (e.g.
    # Hugging Face's), so look for one of our files, not just the folder.
    return (path / "iris.parquet").is_file()


def data_dir() -> Path:
    """Return the folder holding the bundled data files.

    The wheel's copy (``pai_algos/datasets/_data``) is preferred; in a source checkout the
    repository's ``datasets/`` folder is used.

    Returns
    -------
    path : pathlib.Path
        The folder with ``<name>.parquet`` and ``<name>.json`` for each name in
        :data:`DATASETS`.

    Raises
    ------
    FileNotFoundError
        If neither location holds the data files.

    Examples
    --------
    >>> from pai_algos.datasets import data_dir
    >>> (data_dir() / "iris.parquet").is_file()
    True
    """
    for path in (_WHEEL_DIR, _CHECKOUT_DIR):
        if _has_our_files(path):
            return path
    raise FileNotFoundError(
        "pai_algos' bundled datasets were not found: looked for iris.parquet in "
        f"{_WHEEL_DIR} (installed wheel) and {_CHECKOUT_DIR} (source checkout). Reinstall "
        "pai-algos, or in a checkout run `python scripts/make_datasets.py`."
    )


@cache
def _read(name: str):
    """Read one dataset: (arrow table, metadata dict). Cached; callers copy what they return."""
    import pyarrow.parquet as pq

    folder = data_dir()
    table = pq.read_table(folder / f"{name}.parquet")
    meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return table, meta


def _describe(meta: dict) -> str:
    return (
        f"{meta['description'].rstrip()}\n\n"
        f"Source: {meta['source']}\n"
        f"Licence: {meta['license']}\n"
        f"Citation: {meta['citation']}\n"
    )


def _load(name, *, as_frame, return_X_y, transform=None):
    table, meta = _read(name)
    feature_names = list(meta["feature_names"])
    target_names = meta["target_names"]
    classification = target_names is not None

    data = np.column_stack([table.column(f).to_numpy() for f in feature_names]).astype(
        np.float64, copy=False
    )
    target = (
        table.column("target")
        .to_numpy()
        .astype(np.int64 if classification else np.float64, copy=True)
    )
    if transform is not None:
        data = transform(data)

    frame = None
    if as_frame:
        import pandas as pd

        frame = pd.DataFrame(data, columns=feature_names)
        frame["target"] = target
        data = frame[feature_names]
        target = frame["target"]

    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=feature_names,
        target_names=None if target_names is None else np.array(target_names),
        DESCR=_describe(meta),
        filename=f"{name}.parquet",
        license=meta["license"],
        citation=meta["citation"],
    )


def load_iris(*, as_frame=False, return_X_y=False):
    """Load the iris dataset (3-class classification, 150 x 4).

    The same values as :func:`sklearn.datasets.load_iris`, read from the bundled Parquet file.
    Licence CC BY 4.0; cite Fisher, R. A. (1988). Iris. UCI Machine Learning Repository.
    https://doi.org/10.24432/C56C76.

    Parameters
    ----------
    as_frame : bool, default=False
        Return pandas objects: ``data`` a DataFrame, ``target`` a Series and ``frame`` both
        together.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        - ``data``: ndarray (DataFrame with ``as_frame=True``) of shape (150, 4);
        - ``target``: ndarray (Series) of shape (150,), class labels 0, 1, 2;
        - ``frame``: DataFrame of shape (150, 5) with ``as_frame=True``, else None;
        - ``feature_names``: list of str;
        - ``target_names``: ndarray of str, the class names;
        - ``DESCR``: str, the description with source, licence and citation;
        - ``filename``: str, the Parquet file in :func:`data_dir`;
        - ``license``, ``citation``: str.
    (data, target) : tuple if ``return_X_y`` is True
        The two arrays (a DataFrame and a Series with ``as_frame=True``).

    See Also
    --------
    load_wine, load_breast_cancer : The other bundled classification datasets.

    Examples
    --------
    >>> from pai_algos.datasets import load_iris
    >>> iris = load_iris()
    >>> iris.data.shape, iris.target_names.tolist()
    ((150, 4), ['setosa', 'versicolor', 'virginica'])
    """
    return _load("iris", as_frame=as_frame, return_X_y=return_X_y)


def load_wine(*, as_frame=False, return_X_y=False):
    """Load the wine recognition dataset (3-class classification, 178 x 13).

    The same values as :func:`sklearn.datasets.load_wine`, read from the bundled Parquet file.
    Licence CC BY 4.0; cite Aeberhard, S. & Forina, M. (1991). Wine. UCI Machine Learning
    Repository. https://doi.org/10.24432/C5PC7J.

    Parameters
    ----------
    as_frame : bool, default=False
        Return pandas objects: ``data`` a DataFrame, ``target`` a Series and ``frame`` both
        together.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        - ``data``: ndarray (DataFrame with ``as_frame=True``) of shape (178, 13);
        - ``target``: ndarray (Series) of shape (178,), class labels 0, 1, 2;
        - ``frame``: DataFrame of shape (178, 14) with ``as_frame=True``, else None;
        - ``feature_names``: list of str;
        - ``target_names``: ndarray of str, the class names;
        - ``DESCR``: str, the description with source, licence and citation;
        - ``filename``: str, the Parquet file in :func:`data_dir`;
        - ``license``, ``citation``: str.
    (data, target) : tuple if ``return_X_y`` is True
        The two arrays (a DataFrame and a Series with ``as_frame=True``).

    See Also
    --------
    load_iris, load_breast_cancer : The other bundled classification datasets.

    Examples
    --------
    >>> from pai_algos.datasets import load_wine
    >>> X, y = load_wine(return_X_y=True)
    >>> X.shape, sorted(set(y.tolist()))
    ((178, 13), [0, 1, 2])
    """
    return _load("wine", as_frame=as_frame, return_X_y=return_X_y)


def load_breast_cancer(*, as_frame=False, return_X_y=False):
    """Load the Breast Cancer Wisconsin (Diagnostic) dataset (binary, 569 x 30).

    The same values as :func:`sklearn.datasets.load_breast_cancer`, read from the bundled
    Parquet file. Licence CC BY 4.0; cite Wolberg, W., Mangasarian, O., Street, N. & Street,
    W. (1995). Breast Cancer Wisconsin (Diagnostic). UCI Machine Learning Repository.
    https://doi.org/10.24432/C5DW2B.

    Parameters
    ----------
    as_frame : bool, default=False
        Return pandas objects: ``data`` a DataFrame, ``target`` a Series and ``frame`` both
        together.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        - ``data``: ndarray (DataFrame with ``as_frame=True``) of shape (569, 30);
        - ``target``: ndarray (Series) of shape (569,), 0 malignant, 1 benign;
        - ``frame``: DataFrame of shape (569, 31) with ``as_frame=True``, else None;
        - ``feature_names``: list of str;
        - ``target_names``: ndarray of str, the class names;
        - ``DESCR``: str, the description with source, licence and citation;
        - ``filename``: str, the Parquet file in :func:`data_dir`;
        - ``license``, ``citation``: str.
    (data, target) : tuple if ``return_X_y`` is True
        The two arrays (a DataFrame and a Series with ``as_frame=True``).

    See Also
    --------
    load_iris, load_wine : The other bundled classification datasets.

    Examples
    --------
    >>> from pai_algos.datasets import load_breast_cancer
    >>> data = load_breast_cancer(as_frame=True)
    >>> data.frame.shape, data.target.value_counts().sort_index().tolist()
    ((569, 31), [212, 357])
    """
    return _load("breast_cancer", as_frame=as_frame, return_X_y=return_X_y)


def _scale_like_sklearn(data):
    # What sklearn.datasets.load_diabetes(scaled=True) does, so the values match bit for bit.
    from sklearn.preprocessing import scale

    data = scale(data, copy=False)
    data /= data.shape[0] ** 0.5
    return data


def load_diabetes(*, as_frame=False, return_X_y=False, scaled=True):
    """Load the diabetes dataset (regression, 442 x 10).

    The same values as :func:`sklearn.datasets.load_diabetes`, read from the bundled Parquet
    file, which keeps the raw measurements. The original authors state no licence; the data
    has been redistributed inside scikit-learn (BSD-3-Clause) since 2010. Cite Efron, B.,
    Hastie, T., Johnstone, I. & Tibshirani, R. (2004). Least angle regression. The Annals of
    Statistics, 32(2), 407-499.

    Parameters
    ----------
    as_frame : bool, default=False
        Return pandas objects: ``data`` a DataFrame, ``target`` a Series and ``frame`` both
        together.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    scaled : bool, default=True
        Mean-centre each feature and divide it by its standard deviation times
        ``sqrt(n_samples)`` (each column's sum of squares is then 1), as scikit-learn does.
        False gives the raw measurements.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        - ``data``: ndarray (DataFrame with ``as_frame=True``) of shape (442, 10);
        - ``target``: ndarray (Series) of shape (442,), disease progression one year after baseline;
        - ``frame``: DataFrame of shape (442, 11) with ``as_frame=True``, else None;
        - ``feature_names``: list of str;
        - ``target_names``: None: a regression target;
        - ``DESCR``: str, the description with source, licence and citation;
        - ``filename``: str, the Parquet file in :func:`data_dir`;
        - ``license``, ``citation``: str.
    (data, target) : tuple if ``return_X_y`` is True
        The two arrays (a DataFrame and a Series with ``as_frame=True``).

    See Also
    --------
    load_breast_cancer : A bundled classification dataset.

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.datasets import load_diabetes
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X.shape, float(np.round((X**2).sum(axis=0)[0], 6))
    ((442, 10), 1.0)
    >>> load_diabetes(scaled=False).data[0, :2].tolist()
    [59.0, 2.0]
    """
    return _load(
        "diabetes",
        as_frame=as_frame,
        return_X_y=return_X_y,
        transform=_scale_like_sklearn if scaled else None,
    )
