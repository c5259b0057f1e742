"""server/controllers"""
