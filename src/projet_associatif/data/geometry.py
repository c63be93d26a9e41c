"""Compute areas and write GeoJSON geometries of communes, without PROJ/pyproj.

shapely (≥ 2.1) comes with the ``reference`` extra: only the refresh of ``data/reference/``
needs it (and this module), never the build. Without it, :func:`shapely_module` says how
to install it.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np

from projet_associatif.core.errors import DataError, Problem

_shapely: ModuleType | None
try:
    import shapely as _shapely
except ImportError:  # optional dependency: the error comes when a geometry is read
    _shapely = None

# GRS80 ellipsoid and the LAEA Europe projection (EPSG:3035), an equal-area projection: areas
# computed on projected coordinates are ellipsoidal areas, without needing PROJ/pyproj.
_A = 6378137.0
_F = 1 / 298.257222101
_E2 = _F * (2 - _F)
_E = math.sqrt(_E2)
_LAT0 = math.radians(52.0)
_LON0 = math.radians(10.0)


def shapely_module() -> Any:
    """Return shapely, or raise a French error saying how to install it."""
    if _shapely is None:
        raise DataError(
            [
                Problem(
                    "shapely",
                    "la bibliothèque shapely (≥ 2.1) est nécessaire pour lire les géométries : "
                    "pip install -e '.[reference]' (ou pip install 'shapely>=2.1').",
                    rule="paquet installé",
                )
            ]
        )
    return _shapely


def _q(sin_phi: Any) -> Any:
    return (1 - _E2) * (
        sin_phi / (1 - _E2 * sin_phi**2)
        - np.log((1 - _E * sin_phi) / (1 + _E * sin_phi)) / (2 * _E)
    )


def laea_europe(coords: Any) -> Any:
    """Project (longitude, latitude) degrees to LAEA Europe metres (EPSG:3035, Snyder 1987)."""
    lon = np.radians(coords[:, 0])
    lat = np.radians(coords[:, 1])
    qp = _q(np.float64(1.0))
    rq = _A * math.sqrt(qp / 2)
    beta = np.arcsin(_q(np.sin(lat)) / qp)
    beta0 = math.asin(_q(np.float64(math.sin(_LAT0))) / qp)
    d = _A * math.cos(_LAT0) / math.sqrt(1 - _E2 * math.sin(_LAT0) ** 2) / (rq * math.cos(beta0))
    dlon = lon - _LON0
    b = rq * np.sqrt(
        2 / (1 + math.sin(beta0) * np.sin(beta) + math.cos(beta0) * np.cos(beta) * np.cos(dlon))
    )
    x = 4321000.0 + b * d * np.cos(beta) * np.sin(dlon)
    y = 3210000.0 + (b / d) * (
        math.cos(beta0) * np.sin(beta) - math.sin(beta0) * np.cos(beta) * np.cos(dlon)
    )
    return np.column_stack([x, y])


def area_km2(geometry: Any) -> float:
    """Return the ellipsoidal area of a (longitude, latitude) geometry, in km²."""
    shapely = shapely_module()
    return float(shapely.area(shapely.transform(geometry, laea_europe))) / 1e6


def geojson_geometry(geometry: Any) -> dict[str, Any]:
    """Return the GeoJSON geometry, counter-clockwise outer rings (RFC 7946), 5 decimals."""
    shapely = shapely_module()
    oriented = shapely.orient_polygons(geometry, exterior_cw=False)
    rounded = shapely.transform(oriented, lambda xy: np.round(xy, 5))
    return _plain(shapely.geometry.mapping(rounded))


def _plain(value: Any) -> Any:
    """Turn shapely's nested tuples of numpy floats into JSON-ready lists of floats."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return round(float(value), 5)
    return value


def rings(geometry: dict[str, Any]) -> list[list[Any]]:
    """Return every ring of a GeoJSON Polygon or MultiPolygon."""
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    return [ring for polygon in polygons for ring in polygon]
