"""db/stores"""
