# The benchmark's own share of every figure: fp_driver.py (its stdin
# commands) and asyncio, with nothing listening and nothing served.


async def start(host, port):
    pass
