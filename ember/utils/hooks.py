"""RemovableHandle: what every hook registration returns."""
import itertools

_ids = itertools.count()


class RemovableHandle:
    """`handle.remove()` takes the hook out of the dict it was registered in."""

    def __init__(self, hooks_dict, *, extra_dict=None):
        import weakref
        self.hooks_dict_ref = weakref.ref(hooks_dict) if _weakrefable(hooks_dict) else (lambda: hooks_dict)
        self.id = next(_ids)
        self.extra_dict_ref = ()
        if extra_dict is not None:
            dicts = extra_dict if isinstance(extra_dict, list) else [extra_dict]
            self.extra_dict_ref = tuple(dicts)

    def remove(self):
        d = self.hooks_dict_ref()
        if d is not None and self.id in d:
            del d[self.id]
        for d in self.extra_dict_ref:
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _weakrefable(d):
    import weakref
    try:
        weakref.ref(d)
        return True
    except TypeError:
        return False
