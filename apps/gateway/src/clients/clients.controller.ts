import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequiresOperation } from '../access/access.decorators';
import { ClientsService } from './clients.service';
import { BindCertificateDto, IssueKeyDto, RegisterClientDto, UpdateClientDto } from './clients.dto';
import { ProblemCode } from '@ecert/common';
import type { Page } from '@ecert/contracts';
import { PageQueryDto } from '../pagination/page-query.dto';
import { ApiProblems, ApiResult } from '../openapi/api-docs.decorators';
import type { ClientView, IssuedApiKeyView, RegisteredClientView } from './client.views';

const NOT_FOUND = { 404: [ProblemCode.notFound] } as const;

@ApiTags('clients (应用开通)')
@Controller('api/v1/clients')
@RequiresOperation('admin')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Post()
  @ApiOperation({ summary: 'Register a business system; the API key is shown only in this response' })
  @ApiResult('RegisteredClientView')
  register(@Body() dto: RegisterClientDto): Promise<RegisteredClientView> {
    return this.clients.register(dto);
  }

  @Get()
  @ApiOperation({ summary: 'The registered client systems, oldest first (paginated)' })
  @ApiResult('ClientPage')
  list(@Query() q: PageQueryDto): Promise<Page<ClientView>> {
    return this.clients.list(q.page, q.pageSize);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One client system and its credentials' })
  @ApiResult('ClientView')
  @ApiProblems(NOT_FOUND)
  get(@Param('id') id: string): Promise<ClientView> {
    return this.clients.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Enable or disable a client system' })
  @ApiResult('ClientView')
  @ApiProblems(NOT_FOUND)
  update(@Param('id') id: string, @Body() dto: UpdateClientDto): Promise<ClientView> {
    return this.clients.setStatus(id, dto.status);
  }

  @Post(':id/keys')
  @ApiOperation({ summary: 'Issue an additional API key (rotation: issue, switch, then revoke the old one)' })
  @ApiResult('IssuedApiKeyView')
  @ApiProblems(NOT_FOUND)
  issueKey(@Param('id') id: string, @Body() dto: IssueKeyDto): Promise<IssuedApiKeyView> {
    return this.clients.issueKey(id, dto.expiresAt);
  }

  @Delete(':id/credentials/:credentialId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key or client certificate credential' })
  @ApiResult('ClientView')
  @ApiProblems(NOT_FOUND)
  revoke(@Param('id') id: string, @Param('credentialId') credentialId: string): Promise<ClientView> {
    return this.clients.revokeCredential(id, credentialId);
  }

  @Post(':id/certificates')
  @ApiOperation({ summary: 'Register an ecert-issued certificate as the client mutual-TLS credential' })
  @ApiResult('ClientView')
  @ApiProblems(NOT_FOUND, { 409: [ProblemCode.validationFailed] })
  bindCertificate(@Param('id') id: string, @Body() dto: BindCertificateDto): Promise<ClientView> {
    return this.clients.bindCertificate(id, dto.certificate);
  }
}
