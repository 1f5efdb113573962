"""Datasets: the catalogue, loaders and validation. ``data/`` holds the bundled CSVs."""

from shigen.datasets.catalogue import Catalogue, Dataset, DatasetMeta

__all__ = ["Catalogue", "Dataset", "DatasetMeta"]
