# A package holding the small template bench/templates_heap.py renders.
