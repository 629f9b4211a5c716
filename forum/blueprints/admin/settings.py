"""(routes being written)"""
