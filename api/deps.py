"""Dependencies, declared once as ``Annotated`` aliases."""

from typing import Annotated

from fastapi import Depends, Request

from api.llm import LlmClient
from api.service import Service
from rag.retrieval import Searcher


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def get_searcher(service: Annotated[Service, Depends(get_service)]) -> Searcher:
    return service.searcher


def get_llm(request: Request) -> LlmClient:
    llm: LlmClient = request.app.state.llm
    return llm


ServiceDep = Annotated[Service, Depends(get_service)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
LlmDep = Annotated[LlmClient, Depends(get_llm)]
